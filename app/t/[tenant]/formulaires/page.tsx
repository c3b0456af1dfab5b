import type { Metadata } from 'next';
import Link from 'next/link';
import { ensureShippedForms, latestForm } from '@/domain/forms/store';
import { listFormTopics } from '@/domain/topics';
import { appContext } from '@/app/_server/context';
import { portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Démarches en ligne' };

const KIND_LABELS: Record<string, string> = { document: 'Demande de document', registration: 'Inscription ou réservation', purchase: 'Achat en ligne', question: 'Demande' };

/** The smart forms a municipality offers, one per topic that carries a form. */
export default async function FormsListPage({ params }: { params: Promise<{ tenant: string }> }) {
  const tenant = await portalTenant((await params).tenant);
  const { orm } = await appContext();
  await ensureShippedForms(orm);
  const em = orm.em.fork();
  const topics = await listFormTopics(em, tenant.id);
  const forms = (await Promise.all(topics.map(async (t) => ({ topic: t, stored: await latestForm(em, tenant.id, t.form) })))).filter((f) => f.stored);
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Démarches en ligne</h1>
      <p className="lead">Choisissez votre démarche. Chaque formulaire vous guide étape par étape ; vous recevez un accusé de réception et pouvez suivre votre demande.</p>
      {forms.length === 0 ? (
        <p>Aucune démarche en ligne n’est proposée pour le moment.</p>
      ) : (
        <ul className="tiles">
          {forms.map(({ topic, stored }) => (
            <li className="tile" key={topic.form}>
              <h2 className="tile-title">
                <Link href={`/t/${tenant.slug}/formulaires/${topic.form}`}>{stored!.definition.title}</Link>
              </h2>
              <p className="hint">
                {KIND_LABELS[stored!.definition.kind] ?? 'Demande'} — {topic.department}
              </p>
              {stored!.definition.description ? <p>{stored!.definition.description}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
