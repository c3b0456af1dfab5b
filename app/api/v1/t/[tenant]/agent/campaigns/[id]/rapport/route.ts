import { campaignReportCsv, getCampaign } from '@/domain/campaigns/campaigns';
import { agentRoute } from '@/app/console/_server/route';
import { fileDownload } from '@/app/_server/http';

type Params = { tenant: string; id: string };

/** The per-recipient report as CSV. */
export const GET = agentRoute<Params>('agent', async ({ em, principal, params }) => {
  const campaign = await getCampaign(em, principal.tenantId, params.id);
  const csv = await campaignReportCsv(em, principal.tenantId, params.id);
  return fileDownload(csv, 'text/csv; charset=utf-8', `campagne-${campaign.id.slice(0, 8)}.csv`);
});
