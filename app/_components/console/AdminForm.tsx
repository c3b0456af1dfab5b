'use client';

import { useRouter } from 'next/navigation';
import { ConsoleForm } from './ConsoleForm';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { callApi } from './api';
import { FormMessage, type FormOutcome } from './FormMessage';

/** One field of an administration form. */
export interface AdminField {
  name: string;
  label: string;
  type?: 'text' | 'textarea' | 'checkbox' | 'select' | 'password' | 'email' | 'color' | 'number';
  options?: Array<{ value: string; label: string }>;
  hint?: string;
}

/** A small form that saves one administration item through the agent API and shows the result or the field errors. */
export function AdminForm({ tenant, resource, title, fields, initial, submitLabel = 'Enregistrer' }: {
  tenant: string;
  resource: string;
  title: string;
  fields: AdminField[];
  initial?: Record<string, string | boolean | null | undefined>;
  submitLabel?: string;
}) {
  const router = useRouter();
  const id = useId();
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, unknown> = {};
    for (const f of fields) {
      if (f.type === 'checkbox') body[f.name] = form.get(f.name) === 'on';
      else {
        const value = String(form.get(f.name) ?? '');
        if (f.type === 'password' && !value) continue;
        body[f.name] = value;
      }
    }
    const result = await callApi<{ message: string }>(`/api/v1/t/${tenant}/agent/admin/${resource}`, { method: 'POST', body });
    if (result.ok) {
      setErrors({});
      setMessage({ kind: 'ok', text: result.data.message });
      router.refresh();
    } else {
      setErrors(Object.fromEntries((result.errors ?? []).map((e) => [e.path.replace(/^\//, ''), e.message])));
      setMessage({ kind: 'error', text: result.message });
    }
  }

  return (
    <ConsoleForm onSubmit={submit} className="card stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      <FormMessage message={message} />
      {fields.map((f) => {
        const fieldId = `${id}-${f.name}`;
        const value = initial?.[f.name];
        const describedBy = [f.hint ? `${fieldId}-hint` : '', errors[f.name] ? `${fieldId}-error` : ''].filter(Boolean).join(' ') || undefined;
        const extra = (
          <>
            {f.hint ? (
              <small id={`${fieldId}-hint`} className="muted">
                {f.hint}
              </small>
            ) : null}
            {errors[f.name] ? (
              <span id={`${fieldId}-error`} className="alert error">
                {errors[f.name]}
              </span>
            ) : null}
          </>
        );
        if (f.type === 'checkbox') {
          return (
            <label key={f.name} className="inline">
              <input type="checkbox" name={f.name} defaultChecked={value === true} aria-describedby={describedBy} /> {f.label}
              {extra}
            </label>
          );
        }
        return (
          <label key={f.name}>
            {f.label}
            {f.type === 'textarea' ? (
              <textarea name={f.name} rows={6} defaultValue={String(value ?? '')} aria-describedby={describedBy} />
            ) : f.type === 'select' ? (
              <select name={f.name} defaultValue={String(value ?? '')} aria-describedby={describedBy}>
                {f.options?.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : (
              <input name={f.name} type={f.type ?? 'text'} defaultValue={f.type === 'password' ? '' : String(value ?? '')} aria-describedby={describedBy} autoComplete="off" />
            )}
            {extra}
          </label>
        );
      })}
      <button type="submit">{submitLabel}</button>
    </ConsoleForm>
  );
}

/** Message template editor with a live preview rendered by the server with sample values. */
export function MessageTemplateEditor({ tenant, template }: { tenant: string; template: { key: string; subject: string; body: string; custom: boolean } }) {
  const router = useRouter();
  const id = useId();
  const [subject, setSubject] = useState(template.subject);
  const [body, setBody] = useState(template.body);
  const [preview, setPreview] = useState<{ subject: string; body: string } | null>(null);
  const [message, setMessage] = useState<FormOutcome | null>(null);

  useEffect(() => {
    const timer = setTimeout(async () => {
      const result = await callApi<{ subject: string; body: string }>(`/api/v1/t/${tenant}/agent/admin/message-preview`, { method: 'POST', body: { key: template.key, subject, body } });
      if (result.ok) setPreview(result.data);
      else setPreview({ subject: '', body: result.message });
    }, 300);
    return () => clearTimeout(timer);
  }, [tenant, template.key, subject, body]);

  async function save(event: FormEvent) {
    event.preventDefault();
    const result = await callApi<{ message: string }>(`/api/v1/t/${tenant}/agent/admin/message-templates`, { method: 'POST', body: { key: template.key, subject, body } });
    setMessage(result.ok ? { kind: 'ok', text: result.data.message } : { kind: 'error', text: result.message });
    if (result.ok) router.refresh();
  }

  return (
    <ConsoleForm onSubmit={save} className="card stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {MESSAGE_LABELS[template.key] ?? template.key} {template.custom ? <small className="muted">(personnalisé)</small> : <small className="muted">(texte par défaut)</small>}
      </h3>
      <FormMessage message={message} />
      <label>
        Objet
        <input value={subject} onChange={(e) => setSubject(e.target.value)} />
      </label>
      <label>
        Texte
        <textarea rows={8} value={body} onChange={(e) => setBody(e.target.value)} />
      </label>
      <div aria-live="polite">
        <strong>Aperçu</strong>
        <blockquote className="pre">
          {preview ? `${preview.subject}\n\n${preview.body}` : '…'}
        </blockquote>
      </div>
      <button type="submit">Enregistrer ce message</button>
    </ConsoleForm>
  );
}

const MESSAGE_LABELS: Record<string, string> = {
  acknowledgement: 'Accusé de réception',
  state_changed: 'Changement d’état',
  information_requested: 'Demande de complément',
  answer: 'Réponse au citoyen',
  new_request: 'Nouvelle demande (agents)',
  transferred: 'Transfert (agents)',
  reminder: 'Relance (agents)',
};
