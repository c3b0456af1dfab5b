'use client';

import { useEffect, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { callApi } from './api';
import type { CampaignTimeline } from '@/domain/campaigns/timeline';

/** The chart is fetched again at most this often while the counters move: its query reads every recipient. */
const REFRESH_MS = 10_000;

/**
 * Messages sent, delivered and failed over time, cumulated; `version` changes whenever the counters do. The same
 * figures are in a table under the chart for screen readers, and a sentence sums them up.
 */
export function CampaignChart({ tenant, campaignId, initial, version }: { tenant: string; campaignId: string; initial: CampaignTimeline; version: string }) {
  const [timeline, setTimeline] = useState(initial);
  const fetchedAt = useRef(Date.now());
  const fetchedVersion = useRef(version);

  useEffect(() => {
    if (version === fetchedVersion.current) return;
    const load = async () => {
      fetchedAt.current = Date.now();
      fetchedVersion.current = version;
      const result = await callApi<CampaignTimeline>(`/api/v1/t/${tenant}/agent/campaigns/${campaignId}/chronologie`);
      if (result.ok) setTimeline(result.data);
    };
    const timer = setTimeout(load, Math.max(0, fetchedAt.current + REFRESH_MS - Date.now()));
    return () => clearTimeout(timer);
  }, [tenant, campaignId, version]);

  const { points, stepMinutes } = timeline;
  const lastPoint = points.at(-1);
  return (
    <section aria-labelledby="chronologie" className="stack" data-testid="campaign-chart">
      <h3 id="chronologie">Chronologie</h3>
      {lastPoint ? (
        <>
          <p data-testid="campaign-chart-summary">
            Du {points[0].label} au {lastPoint.label}, par pas de {stepLabel(stepMinutes)} : {lastPoint.sent} messages envoyés, {lastPoint.delivered} remis,{' '}
            {lastPoint.failed} en échec après l’envoi (cumuls).
          </p>
          <div aria-hidden="true" style={{ width: '100%', height: 280 }}>
            <ResponsiveContainer>
              <LineChart data={points} margin={{ top: 10, right: 10, bottom: 10, left: 0 }} accessibilityLayer={false}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="label" tickFormatter={(label: string) => (stepMinutes < 1440 ? label.slice(-5) : label.slice(0, 5))} />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Line type="stepAfter" dataKey="sent" name="Envoyés" stroke="#1d4e89" dot={false} isAnimationActive={false} />
                <Line type="stepAfter" dataKey="delivered" name="Remis" stroke="#18753c" dot={false} isAnimationActive={false} />
                <Line type="stepAfter" dataKey="failed" name="Échecs" stroke="#b34000" dot={false} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </div>
          <details>
            <summary>Voir les chiffres de la chronologie</summary>
            <table data-testid="campaign-chart-table">
              <caption className="visually-hidden">Messages envoyés, remis et en échec, cumulés, par pas de {stepLabel(stepMinutes)}</caption>
              <thead>
                <tr>
                  <th scope="col">À partir de</th>
                  <th scope="col">Envoyés</th>
                  <th scope="col">Remis</th>
                  <th scope="col">Échecs</th>
                </tr>
              </thead>
              <tbody>
                {points.map((p) => (
                  <tr key={p.at}>
                    <th scope="row">{p.label}</th>
                    <td>{p.sent}</td>
                    <td>{p.delivered}</td>
                    <td>{p.failed}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      ) : (
        <p data-testid="campaign-chart-summary">Aucun message envoyé pour l’instant.</p>
      )}
    </section>
  );
}

function stepLabel(minutes: number): string {
  if (minutes < 60) return minutes === 1 ? 'une minute' : `${minutes} minutes`;
  if (minutes < 1440) return minutes === 60 ? 'une heure' : `${minutes / 60} heures`;
  return minutes === 1440 ? 'un jour' : 'une semaine';
}
