'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { callApi } from './api';

const POLL_MS = 5000;

/**
 * Shows new requests without a reload. Polling a tiny JSON endpoint (one indexed count) rather than Server-Sent Events:
 * it survives every proxy and restart, and holds no connection per open console.
 */
export function InboxLive({ tenant, since, mine }: { tenant: string; since: string; mine: boolean }) {
  const router = useRouter();
  const [fresh, setFresh] = useState(0);

  useEffect(() => {
    let stopped = false;
    const timer = setInterval(async () => {
      const result = await callApi<{ count: number }>(`/api/v1/t/${tenant}/agent/requests/updates?depuis=${encodeURIComponent(since)}${mine ? '&mes=1' : ''}`);
      if (stopped || !result.ok || result.data.count === 0) return;
      setFresh(result.data.count);
      // The table is server-rendered: a refresh re-renders it in place, keeping scroll and focus.
      router.refresh();
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [tenant, since, mine, router]);

  return (
    <p role="status" aria-live="polite" className={fresh ? 'alert ok' : 'visually-hidden'}>
      {fresh ? `${fresh} nouvelle${fresh > 1 ? 's' : ''} demande${fresh > 1 ? 's' : ''} depuis l’ouverture de la page.` : ''}
    </p>
  );
}
