import type { Metadata } from 'next';
import { pendingAttachments } from '@/domain/attachments/store';
import { listPublicTopics } from '@/domain/topics';
import { appContext } from '@/app/_server/context';
import { QuestionForm } from '@/app/_components/portal/question-form';
import { emptyQuestion } from '@/app/_components/portal/question-fields';
import { frenchDelay } from '@/domain/format/french';
import { loadDraft } from '@/app/t/_lib/question';
import { portalGuards, portalPaths, portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';

/** Title announces errors first, so screen reader users hear them on arrival. */
export async function generateMetadata({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }): Promise<Metadata> {
  const { brouillon, erreur } = await searchParams;
  return { title: brouillon || erreur ? 'Erreur : Poser une question' : 'Poser une question' };
}

/** "Poser une question": the form, filled again from its draft after a refused no-JavaScript post. */
export default async function QuestionPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const tenant = await portalTenant((await params).tenant);
  const { brouillon, theme, erreur } = await searchParams;
  const { orm } = await appContext();
  const em = orm.em.fork();
  const topics = (await listPublicTopics(em, tenant.slug)).filter((t) => t.slug !== 'sms-maire');
  const draft = await loadDraft(em, tenant.id, brouillon);
  const values = draft?.values ?? emptyQuestion(topics.some((t) => t.slug === theme) ? theme : '');
  const errors = draft?.errors ?? (erreur ? [{ path: '', message: "Le formulaire envoyé est illisible ou trop volumineux (5 fichiers de 5 Mo au plus)." }] : []);
  const attachments = (await pendingAttachments(em, tenant.id, values.attachmentIds)).map(({ id, name, size }) => ({ id, name, size }));
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Poser une question</h1>
      <p className="lead">
        Votre message est transmis au service concerné. Vous recevez aussitôt un accusé de réception avec la référence de votre demande, la date de
        réponse au plus tard et un code pour la suivre.
      </p>
      <QuestionForm
        action={`${portalPaths.submit(tenant.slug)}${brouillon ? `?brouillon=${brouillon}` : ''}`}
        topics={topics.map((t) => ({ slug: t.slug, label: t.label, delay: frenchDelay(t.delay, t.businessDays) }))}
        values={values}
        errors={errors}
        attachments={attachments}
        token={portalGuards().clock.issue()}
        tenantName={tenant.name}
      />
    </main>
  );
}
