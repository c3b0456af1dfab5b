import type { Metadata } from 'next';
import { meets } from '@/domain/auth/roles';
import { campaignProgress } from '@/domain/campaigns/campaigns';
import { campaignTimeline } from '@/domain/campaigns/timeline';
import { formatFrenchDateTime } from '@/domain/format/french';
import { ConsoleShell } from '@/app/_components/console/ConsoleShell';
import { CampaignLive } from '@/app/_components/console/CampaignLive';
import { campaignOrNotFound } from '@/app/console/_server/campaigns';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Campagne' };

/** One campaign: its message, who wrote and approved it, and its live progress with the actions the role allows. */
export default async function CampaignPage({ params }: { params: Promise<{ tenant: string; id: string }> }) {
  const { tenant, id } = await params;
  const { principal, em } = await consolePage(tenant, 'agent', `/console/${tenant}/campagnes/${id}`);
  const campaign = await campaignOrNotFound(em, principal.tenantId, id);
  const progress = await campaignProgress(em, principal.tenantId, id);
  const timeline = await campaignTimeline(em, principal.tenantId, id);
  return (
    <ConsoleShell principal={principal} current="campaigns">
      <p>
        <a href={`/console/${tenant}/campagnes`}>← Campagnes</a>
      </p>
      <h1>
        {campaign.title}
        {campaign.emergency ? ' — alerte urgente' : ''}
      </h1>
      <dl className="counters">
        <dt>Liste</dt>
        <dd>{campaign.list.label}</dd>
        <dt>Canaux</dt>
        <dd>{campaign.channels.map((c) => (c === 'sms' ? 'SMS' : 'courriel')).join(', ')}</dd>
        <dt>Rédigée par</dt>
        <dd>{campaign.createdBy.name}</dd>
        {campaign.approvedBy ? (
          <>
            <dt>Approuvée par</dt>
            <dd>{campaign.approvedBy.name}</dd>
          </>
        ) : null}
        {campaign.scheduledAt ? (
          <>
            <dt>Envoi prévu le</dt>
            <dd>{formatFrenchDateTime(new Date(campaign.scheduledAt))}</dd>
          </>
        ) : null}
      </dl>
      {campaign.state === 'draft' && (campaign.createdBy.id === principal.agentId || principal.isAdmin) ? (
        <p>
          <a href={`/console/${tenant}/campagnes/${campaign.id}/modifier`} className="button">
            Modifier le brouillon
          </a>
        </p>
      ) : null}
      <h2>Message</h2>
      {campaign.channels.includes('email') ? <p>Objet : {campaign.subject}</p> : null}
      <pre className="sms-preview">{campaign.body}</pre>
      <CampaignLive tenant={tenant} campaignId={campaign.id} initial={progress} timeline={timeline} mayApprove={meets(principal, 'head')} />
    </ConsoleShell>
  );
}
