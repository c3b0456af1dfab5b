import type { Metadata } from 'next';
import { topicChoices } from '@/domain/inbox/choices';
import { ConsoleShell } from '@/app/_components/console/ConsoleShell';
import { IntakeForm } from '@/app/_components/console/IntakeForm';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Accueil et téléphone' };

/** Counter and phone intake: the agent records the request; it follows the same workflow as web requests. */
export default async function IntakePage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, em } = await consolePage(tenant, 'agent', `/console/${tenant}/accueil-guichet`);
  const topics = await topicChoices(em, principal.tenantId, { activeOnly: true, fileable: true });
  return (
    <ConsoleShell principal={principal} current="intake">
      <h1>Enregistrer une demande reçue à l’accueil ou par téléphone</h1>
      <div className="narrow">
        <IntakeForm tenant={tenant} topics={topics} />
      </div>
    </ConsoleShell>
  );
}
