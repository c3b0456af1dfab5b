import type { Metadata } from 'next';
import { Tenant } from '@/domain/entities';
import { listSubscribers } from '@/domain/subscriptions/subscribers';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { SubscriberSearch } from '@/app/_components/console/SubscriberSearch';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Abonnés' };

/** The subscribers of the tenant's lists, with their consent, for administrators and the data protection officer. */
export default async function SubscribersPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'dpo', `/console/${tenant}/abonnes`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="subscribers">
        <Forbidden />
      </ConsoleShell>
    );
  }
  const initial = await listSubscribers(em, principal.tenantId, {});
  const settings = await em.getRepository(Tenant).settingsOf(principal.tenantId);
  return (
    <ConsoleShell principal={principal} current="subscribers">
      <h1>Abonnés aux listes de diffusion</h1>
      <p>Chaque abonnement garde la trace du consentement : quand, comment, et la preuve conservée. Ouvrez une adresse pour la voir.</p>
      <SubscriberSearch tenant={tenant} initial={initial} timeZone={settings?.timeZone || DEFAULT_TIME_ZONE} />
    </ConsoleShell>
  );
}
