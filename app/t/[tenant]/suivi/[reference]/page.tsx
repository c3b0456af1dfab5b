import type { Metadata } from 'next';
import { listRequestDocuments, type DocumentSummary } from '@/domain/documents/store';
import { formatFileSize, formatFrenchDateTime, formatNumber, formatEuros } from '@/domain/format/french';
import { requestAttachments, type AttachmentInfo } from '@/domain/attachments/store';
import { publicRequestView, trackedRequestId, type PublicRequestView } from '@/domain/tracking/public-view';
import { NotFoundError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { ErrorSummary } from '@/app/_components/portal/error-summary';
import { LookupForm } from '@/app/_components/portal/lookup-form';
import { portalPaths, portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Suivi de votre demande', referrer: 'no-referrer' };

const REPLY_ERRORS: Record<string, string> = {
  vide: 'Écrivez votre réponse (entre 1 et 10 000 caractères).',
  close: 'Cette demande est close : vous pouvez déposer une nouvelle demande.',
  indisponible: 'Le service est momentanément indisponible. Votre réponse n’a pas été transmise : merci de réessayer.',
};

/** Tracking page of a request: state, due date, public timeline, answer and files, and a reply box when the town hall waits. */
export default async function TrackingPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenant: string; reference: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { tenant: slug, reference } = await params;
  const tenant = await portalTenant(slug);
  const { code, envoye, erreur } = await searchParams;
  const { orm } = await appContext();
  const em = orm.em.fork();
  const view = await publicRequestView(em, tenant.slug, reference, code ?? null).catch((error) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (!view || !code) {
    return (
      <main id="contenu" className="portal-main" tabIndex={-1}>
        <h1>Suivre une demande</h1>
        <p className="lead">Le lien utilisé est incomplet ou le code ne correspond pas à cette demande. Saisissez la référence et le code de votre accusé de réception.</p>
        <LookupForm
          action={portalPaths.lookup(tenant.slug)}
          reference={reference}
          error={code ? 'Aucune demande ne correspond à cette référence et à ce code. Vérifiez-les dans votre accusé de réception.' : undefined}
        />
      </main>
    );
  }
  const requestId = await trackedRequestId(em, tenant.slug, view.reference);
  const files = await requestAttachments(em, requestId);
  const documents = await listRequestDocuments(em, tenant.id, requestId, true);
  const fromCitizen = files.filter((f) => f.origin === 'citizen');
  const withAnswer = files.filter((f) => f.origin !== 'citizen');
  const at = (iso: string) => formatFrenchDateTime(new Date(iso), tenant.timeZone);
  const finished = view.state === 'answered' || view.state === 'closed' || view.state === 'rejected';
  const replyError = erreur ? (REPLY_ERRORS[erreur] ?? REPLY_ERRORS.indisponible) : undefined;

  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>
        Demande <span className="nowrap">{view.reference}</span>
      </h1>
      {envoye ? (
        <div className="notice notice-success" role="status">
          <p>Votre réponse a bien été transmise au service {view.department}.</p>
        </div>
      ) : null}
      <dl className="receipt">
        <div>
          <dt>Objet</dt>
          <dd>{view.subject}</dd>
        </div>
        <div>
          <dt>Thème</dt>
          <dd>{view.topic}</dd>
        </div>
        <div>
          <dt>Service</dt>
          <dd>{view.department}</dd>
        </div>
        <div>
          <dt>État</dt>
          <dd>
            <span className={`state state-${view.state}`}>{citizenStateLabel(view)}</span>
          </dd>
        </div>
        <div>
          <dt>Reçue le</dt>
          <dd>{at(view.receivedAt)}</dd>
        </div>
        <div>
          <dt>Réponse au plus tard le</dt>
          <dd>
            {at(view.dueAt)}{' '}
            <span className={`badge ${view.onTime ? 'badge-ok' : 'badge-late'}`}>
              {view.onTime ? (finished ? 'Traitée dans le délai' : 'Dans les délais') : finished ? 'Traitée après le délai' : 'En retard'}
            </span>
          </dd>
        </div>
      </dl>

      {view.payment ? (
        <section aria-labelledby="paiement">
          <h2 id="paiement">Paiement</h2>
          <dl className="receipt" data-payment-state={view.payment.state}>
            {view.payment.product ? (
              <div>
                <dt>Commande</dt>
                <dd>
                  {formatNumber(view.payment.quantity)} × {view.payment.product.label}
                </dd>
              </div>
            ) : null}
            <div>
              <dt>Montant</dt>
              <dd>{formatEuros(view.payment.amount)}</dd>
            </div>
            <div>
              <dt>État du paiement</dt>
              <dd>{view.payment.stateLabel}</dd>
            </div>
            {view.payment.paidAt ? (
              <div>
                <dt>Payé le</dt>
                <dd>{at(view.payment.paidAt)}</dd>
              </div>
            ) : null}
          </dl>
          {view.payment.paymentUrl ? (
            <p>
              <a className="button" href={view.payment.paymentUrl}>
                Payer {formatEuros(view.payment.amount)}
              </a>{' '}
              <span className="hint">avant le {at(view.payment.expiresAt)}</span>
            </p>
          ) : null}
        </section>
      ) : null}

      {view.state === 'awaiting_citizen' ? (
        <section className="reply-box" aria-labelledby="repondre">
          <h2 id="repondre">La mairie attend votre réponse</h2>
          {view.question ? (
            <blockquote className="message">
              <p className="pre">{view.question}</p>
            </blockquote>
          ) : null}
          <form className="portal-form" action={portalPaths.reply(tenant.slug, view.reference)} method="post" noValidate>
            <ErrorSummary id="erreurs-reponse" errors={replyError ? [{ message: replyError, href: '#champ-reponse' }] : []} />
            <input type="hidden" name="code" value={code} />
            <div className={`field${replyError ? ' field-invalid' : ''}`}>
              <label htmlFor="champ-reponse">Votre réponse</label>
              <textarea id="champ-reponse" name="message" rows={6} required maxLength={10000} aria-invalid={replyError ? true : undefined} />
            </div>
            <button type="submit" className="button">
              Envoyer ma réponse
            </button>
          </form>
        </section>
      ) : null}

      {view.answer ? (
        <section aria-labelledby="reponse">
          <h2 id="reponse">Réponse de la mairie</h2>
          <div className="message answer">
            <p className="pre">{view.answer}</p>
          </div>
          <FileList title="Documents joints à la réponse" files={withAnswer} href={(id) => portalPaths.attachment(tenant.slug, view.reference, id, code)} />
        </section>
      ) : (
        <FileList title="Documents de la mairie" files={withAnswer} href={(id) => portalPaths.attachment(tenant.slug, view.reference, id, code)} />
      )}

      <DocumentList
        documents={documents}
        href={(id) => `/api/v1/t/${encodeURIComponent(tenant.slug)}/requests/${encodeURIComponent(view.reference)}/documents/${id}?code=${encodeURIComponent(code)}`}
      />

      <section aria-labelledby="historique">
        <h2 id="historique">Historique</h2>
        <ol className="timeline">
          {view.timeline.map((e, i) => (
            <li key={i}>
              <p className="timeline-when">
                <time dateTime={e.at}>{at(e.at)}</time>
              </p>
              <p className="timeline-what">{e.label}</p>
              {e.text && e.type !== 'answered' ? <p className="pre timeline-text">{e.text}</p> : null}
            </li>
          ))}
        </ol>
      </section>

      {view.messages.length ? (
        <section aria-labelledby="messages-envoyes">
          <h2 id="messages-envoyes">Messages de la mairie</h2>
          <ul className="messages-sent">
            {view.messages.map((m, i) => (
              <li key={i} className={m.delivered ? undefined : 'message-lost'}>
                {m.text}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <FileList title="Vos pièces jointes" files={fromCitizen} href={(id) => portalPaths.attachment(tenant.slug, view.reference, id, code)} />
    </main>
  );
}

const DOCUMENT_LABELS: Record<string, string> = {
  answer_letter: 'Courrier de réponse',
  acknowledgement: 'Accusé de réception',
  certificate: 'Document demandé',
  payment_receipt: 'Reçu de paiement',
};

function DocumentList({ documents, href }: { documents: DocumentSummary[]; href: (id: string) => string }) {
  if (!documents.length) return null;
  return (
    <section aria-labelledby="documents-mairie">
      <h2 id="documents-mairie">Documents établis par la mairie</h2>
      <ul className="files">
        {documents.map((d) => (
          <li key={d.id}>
            <a href={href(d.id)} download={d.fileName}>
              Télécharger : {DOCUMENT_LABELS[d.kind] ?? d.fileName}
            </a>{' '}
            <span className="hint">(PDF, {formatFileSize(d.size)})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function FileList({ title, files, href }: { title: string; files: AttachmentInfo[]; href: (id: string) => string }) {
  if (!files.length) return null;
  const id = `fichiers-${title.length}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ul className="files">
        {files.map((f) => (
          <li key={f.id}>
            <a href={href(f.id)} download={f.name}>
              Télécharger {f.name}
            </a>{' '}
            <span className="hint">
              ({f.type === 'application/pdf' ? 'PDF' : f.type === 'image/png' ? 'PNG' : 'JPEG'}, {formatFileSize(f.size)})
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

// Agents' internal labels ("Non lu") mean nothing to a citizen.
function citizenStateLabel(view: PublicRequestView): string {
  const labels: Partial<Record<PublicRequestView['state'], string>> = {
    received: 'Reçue, en attente de prise en charge',
    in_progress: 'En cours de traitement',
    transferred: 'Transmise au service compétent',
    awaiting_citizen: 'En attente de votre réponse',
    awaiting_validation: 'En cours de traitement',
    awaiting_payment: 'En attente de paiement',
    answered: 'Répondue',
    closed: 'Close',
    rejected: 'Rejetée',
  };
  return labels[view.state] ?? view.stateLabel;
}
