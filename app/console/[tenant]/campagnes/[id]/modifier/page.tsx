import type { Metadata } from 'next';
import { composerLists } from '@/domain/campaigns/campaigns';
import { ConsoleShell } from '@/app/_components/console/ConsoleShell';
import { CampaignComposer } from '@/app/_components/console/CampaignComposer';
import { campaignOrNotFound } from '@/app/console/_server/campaigns';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Modifier la campagne' };

/** Rewrites a draft in the composer, then submits it again; only its author or an administrator may. */
export default async function EditCampaignPage({ params }: { params: Promise<{ tenant: string; id: string }> }) {
  const { tenant, id } = await params;
  const { principal, em } = await consolePage(tenant, 'agent', `/console/${tenant}/campagnes/${id}/modifier`);
  const campaign = await campaignOrNotFound(em, principal.tenantId, id);
  const lists = await composerLists(em, principal.tenantId);
  const mayEdit = campaign.createdBy.id === principal.agentId || principal.isAdmin;
  return (
    <ConsoleShell principal={principal} current="campaigns">
      <p>
        <a href={`/console/${tenant}/campagnes/${id}`}>← {campaign.title}</a>
      </p>
      <h1>Modifier la campagne</h1>
      {campaign.state !== 'draft' ? (
        <p role="alert">Seul un brouillon peut être modifié : cette campagne a déjà été soumise.</p>
      ) : !mayEdit ? (
        <p role="alert">Seul l’auteur de la campagne, {campaign.createdBy.name}, ou un administrateur peut modifier ce brouillon.</p>
      ) : (
        <CampaignComposer tenant={tenant} lists={lists} draft={campaign} />
      )}
    </ConsoleShell>
  );
}
