import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { adminOverview } from '@/domain/admin/overview';
import { listProcesses, settingsOf, stepRows } from '@/domain/admin/processes';
import { frenchDelay } from '@/domain/format/french';
import { CITIZEN_MESSAGE_TEMPLATES } from '@/domain/processes/context';
import { STEP_KIND_LABELS } from '@/domain/processes/diagram';
import { processSvg } from '@/domain/processes/diagram';
import { latestProcess } from '@/domain/processes/store';
import { ProcessVersions, scopeLabel } from '@/app/_components/console/ProcessVersions';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { ProcessDiagram } from '@/app/_components/console/ProcessDiagram';
import { ProcessEditor } from '@/app/_components/console/ProcessEditor';
import { consolePage } from '@/app/console/_server/page';
import { shippedProcessesStored } from '@/app/console/_server/processes';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Processus' };

const MESSAGE_LABELS: Record<string, string> = {
  acknowledgement: 'Accusé de réception',
  state_changed: 'Changement d’état',
  information_requested: 'Demande de complément',
  answer: 'Réponse rédigée par l’agent',
};

/** One process: its diagram, guaranteed delay, steps and versions, and the editor of the settings a municipality changes most. */
export default async function ProcessPage({ params }: { params: Promise<{ tenant: string; slug: string }> }) {
  const { tenant, slug } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'admin', `/console/${tenant}/admin/processus/${slug}`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="admin">
        <Forbidden />
      </ConsoleShell>
    );
  }
  await shippedProcessesStored();
  const current = /^[a-z0-9][a-z0-9-]{0,62}$/.test(slug) ? await latestProcess(em, principal.tenantId, slug) : undefined;
  if (!current) notFound();
  const [overview, list] = await Promise.all([adminOverview(em.fork(), principal.tenantId), listProcesses(em.fork(), principal.tenantId)]);
  const entry = list.find((p) => p.slug === slug)!;
  const definition = current.definition;
  const steps = stepRows(definition);
  const shipped = current.tenantId === null;
  return (
    <ConsoleShell principal={principal} current="admin">
      <p>
        <a href={`/console/${tenant}/admin/processus`}>Retour aux processus</a>
      </p>
      <h1>Processus « {definition.title} »</h1>
      {definition.description ? <p>{definition.description}</p> : null}
      <p>
        Version en vigueur : <strong data-testid="version-en-vigueur">{current.version}</strong> ({scopeLabel(shipped ? 'produit' : 'commune')}) · délai garanti :{' '}
        <strong>{frenchDelay(definition.guaranteedDelay.delay, definition.guaranteedDelay.businessDays)}</strong> (<code>{definition.guaranteedDelay.delay}</code>)
      </p>
      <p className="muted">Une version publiée s’applique aux demandes déposées à partir de sa publication ; une demande déjà déposée garde jusqu’au bout la version avec laquelle elle a commencé.</p>

      <ProcessDiagram svg={processSvg(definition)} title={definition.title} steps={steps} />

      <table>
        <caption>Étapes</caption>
        <thead>
          <tr>
            <th scope="col">Étape</th>
            <th scope="col">Type</th>
            <th scope="col">Délai</th>
            <th scope="col">Relances</th>
            <th scope="col">Réglages</th>
            <th scope="col">Suite</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr key={s.id}>
              <td>
                {s.label} <code>{s.id}</code>
              </td>
              <td>{s.kind}</td>
              <td>{s.delay ?? '—'}</td>
              <td>{s.escalation ?? '—'}</td>
              <td>{s.details.join(' · ') || '—'}</td>
              <td>{s.next.length ? s.next.map((n) => (n.branch ? `${n.branch} : ${n.label}` : n.label)).join(' ; ') : 'Fin'}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <ProcessEditor
        tenant={tenant}
        slug={slug}
        title={definition.title}
        shipped={shipped}
        initial={settingsOf(definition, current.version)}
        steps={definition.steps.map((s) => ({
          id: s.id,
          label: s.label,
          kind: s.kind,
          kindName: STEP_KIND_LABELS[s.kind],
          levelLabels: s.kind === 'validate' ? s.levels.map((l) => l.label) : [],
          ruleConditions: s.kind === 'route' ? (s.rules ?? []).map((r) => r.when) : [],
        }))}
        departments={overview.departments.map((d) => ({ value: d.slug, label: d.name }))}
        messageTemplates={[
          ...CITIZEN_MESSAGE_TEMPLATES.map((key) => ({ value: key, label: MESSAGE_LABELS[key] ?? key })),
          ...overview.answerTemplates.map((t) => ({ value: t.slug, label: `Modèle de réponse : ${t.title}` })),
        ]}
      />

      <section aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <ProcessVersions tenant={tenant} process={entry} captionHidden exportText="long" />
      </section>
    </ConsoleShell>
  );
}
