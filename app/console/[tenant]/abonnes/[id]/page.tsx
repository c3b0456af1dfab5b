import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Tenant } from '@/domain/entities';
import { formatDateTimeWithSeconds } from '@/domain/format/french';
import { subscriberDetail } from '@/domain/subscriptions/subscribers';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';
import { NotFoundError } from '@/domain/validation';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Abonné' };

/** One subscriber: each list they were on and the consent trail of each, proofs in plain French; the view is audited. */
export default async function SubscriberPage({ params }: { params: Promise<{ tenant: string; id: string }> }) {
  const { tenant, id } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'dpo', `/console/${tenant}/abonnes/${id}`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="subscribers">
        <Forbidden />
      </ConsoleShell>
    );
  }
  let subscriber;
  try {
    subscriber = await subscriberDetail(em, { tenantId: principal.tenantId, agentId: principal.agentId }, id);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
  const settings = await em.getRepository(Tenant).settingsOf(principal.tenantId);
  const at = (iso: string | null) => (iso ? formatDateTimeWithSeconds(new Date(iso), settings?.timeZone || DEFAULT_TIME_ZONE) : '—');
  return (
    <ConsoleShell principal={principal} current="subscribers">
      <p>
        <a href={`/console/${tenant}/abonnes`}>← Abonnés</a>
      </p>
      <h1>{subscriber.address}</h1>
      <dl className="counters">
        <dt>Canal</dt>
        <dd>{subscriber.channel === 'sms' ? 'SMS' : 'courriel'}</dd>
        <dt>Connu depuis le</dt>
        <dd>{at(subscriber.createdAt)}</dd>
      </dl>
      {subscriber.subscriptions.length ? null : <p>Cette adresse n’est abonnée à aucune liste.</p>}
      {subscriber.subscriptions.map((s) => (
        <section key={s.id} aria-labelledby={`liste-${s.id}`} className="card stack" data-testid="subscription">
          <h2 id={`liste-${s.id}`}>{s.list.label}</h2>
          <dl className="counters">
            <dt>État</dt>
            <dd>{s.statusLabel}</dd>
            <dt>Consentement le</dt>
            <dd>{at(s.consentAt)}</dd>
            <dt>Consentement donné</dt>
            <dd>{s.consentAt ? s.consentMethodLabel : '—'}</dd>
            {s.unsubscribedAt ? (
              <>
                <dt>Désabonné le</dt>
                <dd>
                  {at(s.unsubscribedAt)}
                  {s.unsubscribedViaLabel ? `, ${s.unsubscribedViaLabel}` : ''}
                </dd>
              </>
            ) : null}
          </dl>
          <h3>Historique du consentement</h3>
          {s.trail.length ? (
            <ol className="timeline" data-testid="consent-trail">
              {s.trail.map((event, i) => (
                <li key={`${event.at}-${i}`}>
                  <p>
                    <strong>{event.kindLabel}</strong> le {at(event.at)}, {event.methodLabel}.
                  </p>
                  {event.proof.length ? (
                    <dl>
                      {event.proof.map((line) => (
                        <div key={line.label}>
                          <dt>{line.label}</dt>
                          <dd>{line.value}</dd>
                        </div>
                      ))}
                    </dl>
                  ) : (
                    <p>Aucune preuve enregistrée pour cet événement.</p>
                  )}
                </li>
              ))}
            </ol>
          ) : (
            <p>Aucun événement enregistré (abonnement antérieur à l’historique du consentement).</p>
          )}
        </section>
      ))}
    </ConsoleShell>
  );
}
