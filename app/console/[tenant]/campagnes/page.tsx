import type { Metadata } from 'next';
import { listCampaigns } from '@/domain/campaigns/campaigns';
import { formatFrenchDateTime } from '@/domain/format/french';
import { ConsoleShell } from '@/app/_components/console/ConsoleShell';
import { campaignStateLabel } from '@/domain/campaigns/labels';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Campagnes' };

/** The tenant's campaigns, newest first, and the way to compose one. */
export default async function CampaignsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, em } = await consolePage(tenant, 'agent', `/console/${tenant}/campagnes`);
  const campaigns = await listCampaigns(em, principal.tenantId);
  return (
    <ConsoleShell principal={principal} current="campaigns">
      <h1>Campagnes d’information</h1>
      <p>
        <a href={`/console/${tenant}/campagnes/nouvelle`} className="button">
          Nouvelle campagne
        </a>
      </p>
      {campaigns.length ? (
        <table>
          <caption>Campagnes</caption>
          <thead>
            <tr>
              <th scope="col">Titre</th>
              <th scope="col">Liste</th>
              <th scope="col">État</th>
              <th scope="col">Rédigée par</th>
              <th scope="col">Créée le</th>
              <th scope="col">Destinataires</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`/console/${tenant}/campagnes/${c.id}`}>{c.title}</a>
                  {c.emergency ? ' (alerte urgente)' : ''}
                </td>
                <td>{c.list.label}</td>
                <td>{campaignStateLabel(c.state)}</td>
                <td>{c.createdBy.name}</td>
                <td>{formatFrenchDateTime(new Date(c.createdAt))}</td>
                <td>{c.recipientCount || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Aucune campagne pour l’instant.</p>
      )}
    </ConsoleShell>
  );
}
