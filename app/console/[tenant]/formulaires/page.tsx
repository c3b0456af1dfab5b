import type { Metadata } from 'next';
import { ensureShippedForms, listFormVersions } from '@/domain/forms/store';
import { appContext } from '@/app/_server/context';
import { consolePage } from '@/app/console/_server/page';
import { formatShortDateTime } from '@/domain/format/french';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Formulaires' };

const KIND_LABELS: Record<string, string> = { document: 'Document', registration: 'Inscription', purchase: 'Achat', question: 'Question' };

/** Administrators: every form the municipality can use, with its versions and how many requests each one received. */
export default async function FormsAdminPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'admin', `/console/${tenant}/formulaires`);
  if (!allowed) {
    return (
      <main id="contenu">
        <h1>Formulaires</h1>
        <p role="alert">Cette page est réservée aux administrateurs de la commune.</p>
      </main>
    );
  }
  await ensureShippedForms((await appContext()).orm);
  const versions = await listFormVersions(em, principal.tenantId);
  return (
    <main id="contenu">
      <h1>Formulaires et versions</h1>
      <p>
        Une demande garde la version du formulaire avec laquelle elle a été déposée. Pour publier une nouvelle version :{' '}
        <code>npx relais form:import fichier.json --tenant {tenant}</code> (vérification seule : <code>npx relais form:validate fichier.json</code>).
      </p>
      <table>
        <caption className="sr-only">Versions des formulaires</caption>
        <thead>
          <tr>
            <th scope="col">Formulaire</th>
            <th scope="col">Version</th>
            <th scope="col">Type</th>
            <th scope="col">Thème du portail</th>
            <th scope="col">Origine</th>
            <th scope="col">Enregistrée le</th>
            <th scope="col">Demandes</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={`${v.slug}:${v.version}`}>
              <th scope="row">
                {v.title} <span className="muted">({v.slug})</span>
              </th>
              <td>
                {v.version}
                {v.current ? ' (en vigueur)' : ''}
              </td>
              <td>{KIND_LABELS[v.kind] ?? v.kind}</td>
              <td>{v.topic ?? 'Non proposé'}</td>
              <td>{v.scope === 'commune' ? 'Propre à la commune' : 'Fourni avec Relais'}</td>
              <td>{formatShortDateTime(v.createdAt)}</td>
              <td>{v.requests}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
