'use client';

import { useRouter } from 'next/navigation';
import { ConsoleForm } from './ConsoleForm';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { callApi } from './api';
import { FormMessage, type FormOutcome } from './FormMessage';

interface GenerateAnswer {
  status: 'exists' | 'started' | 'already_started';
  month: string;
  message: string;
}

const POLL_MS = 2_000;
const POLL_LIMIT = 45;

/** An administrator asks for the report of a month that has ended; the list refreshes once the PDF is stored. */
export function QualityReportRequest({ tenant, latestMonth }: { tenant: string; latestMonth: string }) {
  const router = useRouter();
  const id = useId();
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  function waitFor(month: string, attempt = 0) {
    timer.current = setTimeout(async () => {
      const list = await callApi<{ reports: Array<{ month: string }> }>(`/api/v1/t/${tenant}/agent/reports`);
      if (list.ok && list.data.reports.some((r) => r.month === month)) {
        setMessage({ kind: 'ok', text: 'Le rapport est prêt : il figure dans la liste.' });
        router.refresh();
      } else if (attempt < POLL_LIMIT) {
        waitFor(month, attempt + 1);
      }
    }, POLL_MS);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clearTimeout(timer.current);
    setBusy(true);
    const month = String(new FormData(event.currentTarget).get('month') ?? '');
    const result = await callApi<GenerateAnswer>(`/api/v1/t/${tenant}/agent/reports`, { method: 'POST', body: { month } });
    setBusy(false);
    if (!result.ok) {
      setError(result.errors?.find((e) => e.path === '/month')?.message ?? null);
      setMessage({ kind: 'error', text: result.message });
      return;
    }
    setError(null);
    setMessage({ kind: 'ok', text: result.data.message });
    if (result.data.status === 'exists') router.refresh();
    else waitFor(result.data.month);
  }

  return (
    <ConsoleForm onSubmit={submit} className="filters" aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`} className="visually-hidden">
        Produire un rapport mensuel
      </h3>
      <label>
        Mois (AAAA-MM)
        <input
          type="month"
          name="month"
          defaultValue={latestMonth}
          max={latestMonth}
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        {error ? (
          <span id={`${id}-error`} className="alert error">
            {error}
          </span>
        ) : null}
      </label>
      <button type="submit" disabled={busy}>
        Produire le rapport maintenant
      </button>
      <FormMessage message={message} />
    </ConsoleForm>
  );
}
