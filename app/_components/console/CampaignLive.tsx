'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { callApi } from './api';
import { CampaignChart } from './CampaignChart';
import type { CampaignProgress } from '@/domain/campaigns/campaigns';
import type { CampaignTimeline } from '@/domain/campaigns/timeline';
import { campaignStateLabel } from '@/domain/campaigns/labels';

const POLL_MS = 1_500;
// A campaign waiting for approval is polled too: the author's page follows it once a head approves.
const SETTLED = ['draft', 'cancelled'];

/**
 * The campaign's progress bar and counters, polled while it sends (and a little after, for the delivery receipts),
 * with the actions the agent's role allows, and the chart of the messages over time.
 */
export function CampaignLive({
  tenant,
  campaignId,
  initial,
  timeline,
  mayApprove,
}: {
  tenant: string;
  campaignId: string;
  initial: CampaignProgress;
  timeline: CampaignTimeline;
  mayApprove: boolean;
}) {
  const router = useRouter();
  const [progress, setProgress] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A finished campaign's receipts keep coming for a while: the counters follow them until every SMS sent has one.
  const waitingReceipts = progress.state === 'done' && progress.sent > progress.delivered;

  useEffect(() => {
    if (SETTLED.includes(progress.state) || (progress.state === 'done' && !waitingReceipts)) return;
    const timer = setTimeout(async () => {
      const result = await callApi<{ progress: CampaignProgress }>(`/api/v1/t/${tenant}/agent/campaigns/${campaignId}`);
      if (result.ok) setProgress(result.data.progress);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [tenant, campaignId, progress, waitingReceipts]);

  async function act(action: string) {
    setBusy(true);
    setProblem(null);
    const result = await callApi(`/api/v1/t/${tenant}/agent/campaigns/${campaignId}/${action}`, { method: 'POST' });
    setBusy(false);
    if (!result.ok) {
      setProblem(result.message);
      return;
    }
    const fresh = await callApi<{ progress: CampaignProgress }>(`/api/v1/t/${tenant}/agent/campaigns/${campaignId}`);
    if (fresh.ok) setProgress(fresh.data.progress);
    router.refresh();
  }

  const actions: Array<{ action: string; label: string; show: boolean }> = [
    { action: 'soumettre', label: 'Soumettre pour approbation', show: progress.state === 'draft' },
    { action: 'approuver', label: 'Approuver et envoyer', show: mayApprove && (progress.state === 'awaiting_approval' || progress.state === 'approved') },
    { action: 'refuser', label: 'Renvoyer en brouillon', show: mayApprove && progress.state === 'awaiting_approval' },
    { action: 'pause', label: 'Mettre en pause', show: mayApprove && (progress.state === 'running' || progress.state === 'scheduled') },
    { action: 'reprise', label: 'Reprendre', show: mayApprove && progress.state === 'paused' },
    { action: 'annulation', label: 'Annuler la campagne', show: mayApprove && ['running', 'paused', 'scheduled'].includes(progress.state) },
  ];

  return (
    <section aria-labelledby="avancement" className="card stack">
      <h2 id="avancement">Avancement</h2>
      <p>
        État : <strong data-testid="campaign-state">{campaignStateLabel(progress.state)}</strong>
      </p>
      <label htmlFor="campaign-progress">Destinataires traités : {progress.percent} %</label>
      <progress id="campaign-progress" max={100} value={progress.percent} aria-valuetext={`${progress.percent} %`} data-testid="campaign-progress">
        {progress.percent} %
      </progress>
      <dl className="counters" aria-live="polite">
        <dt>En attente</dt>
        <dd data-testid="count-queued">{progress.queued}</dd>
        <dt>Envoyés</dt>
        <dd data-testid="count-sent">{progress.sent}</dd>
        <dt>Remis</dt>
        <dd data-testid="count-delivered">{progress.delivered}</dd>
        <dt>Échecs</dt>
        <dd data-testid="count-failed">{progress.failed}</dd>
        <dt>Désabonnés</dt>
        <dd data-testid="count-opted-out">{progress.optedOut}</dd>
        {progress.cancelled ? (
          <>
            <dt>Annulés</dt>
            <dd>{progress.cancelled}</dd>
          </>
        ) : null}
        <dt>Total</dt>
        <dd data-testid="count-total">{progress.total}</dd>
      </dl>
      <div className="actions">
        {actions
          .filter((a) => a.show)
          .map((a) => (
            <button key={a.action} type="button" onClick={() => act(a.action)} disabled={busy}>
              {a.label}
            </button>
          ))}
        {progress.total ? (
          <a href={`/api/v1/t/${tenant}/agent/campaigns/${campaignId}/rapport`} download>
            Exporter le rapport (CSV)
          </a>
        ) : null}
      </div>
      {problem ? (
        <p className="alert error" role="alert">
          {problem}
        </p>
      ) : null}
      <CampaignChart tenant={tenant} campaignId={campaignId} initial={timeline} version={`${progress.sent}/${progress.delivered}/${progress.failed}`} />
    </section>
  );
}
