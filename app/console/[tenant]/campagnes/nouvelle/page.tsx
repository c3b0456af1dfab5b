import type { Metadata } from 'next';
import { composerLists } from '@/domain/campaigns/campaigns';
import { ConsoleShell } from '@/app/_components/console/ConsoleShell';
import { CampaignComposer } from '@/app/_components/console/CampaignComposer';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Nouvelle campagne' };

/** Composes a campaign to a list, from one of its templates or a free text. */
export default async function NewCampaignPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, em } = await consolePage(tenant, 'agent', `/console/${tenant}/campagnes/nouvelle`);
  const lists = await composerLists(em, principal.tenantId);
  return (
    <ConsoleShell principal={principal} current="campaigns">
      <p>
        <a href={`/console/${tenant}/campagnes`}>← Campagnes</a>
      </p>
      <h1>Nouvelle campagne</h1>
      {lists.length ? <CampaignComposer tenant={tenant} lists={lists} /> : <p>Aucune liste de diffusion : l’administrateur doit d’abord en créer une.</p>}
    </ConsoleShell>
  );
}
