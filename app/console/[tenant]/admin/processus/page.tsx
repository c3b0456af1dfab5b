import type { Metadata } from 'next';
import { listProcesses } from '@/domain/admin/processes';
import { ProcessVersions, scopeLabel } from '@/app/_components/console/ProcessVersions';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { consolePage } from '@/app/console/_server/page';
import { shippedProcessesStored } from '@/app/console/_server/processes';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Processus' };

/** The processes the municipality may use: its own and the shipped ones, their versions, and the forms and topics naming them. */
export default async function ProcessesPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'admin', `/console/${tenant}/admin/processus`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="admin">
        <Forbidden />
      </ConsoleShell>
    );
  }
  await shippedProcessesStored();
  const processes = await listProcesses(em, principal.tenantId);
  return (
    <ConsoleShell principal={principal} current="admin">
      <p>
        <a href={`/console/${tenant}/admin`}>Retour à l’administration</a>
      </p>
      <h1>Processus</h1>
      <p className="muted">
        Le parcours d’une demande, étape par étape : délais, relances, services, validation, messages. Une version publiée par la commune remplace, pour elle seule, le
        processus fourni avec Relais ; les versions précédentes restent consultables et exportables.
      </p>
      <p className="muted">Une version publiée s’applique aux demandes déposées à partir de sa publication ; une demande déjà déposée garde jusqu’au bout la version avec laquelle elle a commencé.</p>
      {processes.map((p) => (
        <section key={p.slug} className="card stack" aria-labelledby={`processus-${p.slug}`} data-process={p.slug}>
          <h2 id={`processus-${p.slug}`}>
            <a href={`/console/${tenant}/admin/processus/${p.slug}`}>{p.title}</a>
          </h2>
          <p>
            Identifiant <code>{p.slug}</code> · version en vigueur : <strong>{p.current.version}</strong> ({scopeLabel(p.current.scope)})
          </p>
          <p>
            Formulaires : {p.forms.length ? p.forms.map((f) => f.title).join(', ') : 'aucun'} · Thèmes : {p.topics.length ? p.topics.map((t) => t.label).join(', ') : 'aucun'}
          </p>
          <ProcessVersions tenant={tenant} process={p} exportText="short" />
        </section>
      ))}
    </ConsoleShell>
  );
}
