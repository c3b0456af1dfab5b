import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { describeAnswers } from '@/forms/runtime/answers';
import { formAtVersion, latestForm } from '@/domain/forms/store';
import { query } from '@/domain/sql';
import { trackingUrl } from '@/domain/urls';
import { frenchLongDate, frenchMonth } from '@/domain/format/french';
import { loadRequestForDocument, loadTenantContext, recipientLines, type RequestDocumentContext, type TenantDocumentContext } from '@/domain/documents/data';
import type { PdfRenderer } from '@/integrations/documents/renderer';
import { resolveTemplate, type DocumentTemplateName } from '@/domain/documents/templates';
import { paymentReceiptData } from '@/domain/payments/receipt';
import { formatFigures, totalFigures, type DepartmentFigures } from './quality-report-figures';

/** Dependencies of the document activities; one renderer (one Chromium) per worker process. */
export interface DocumentActivityDeps {
  orm: MikroORM;
  renderer: PdfRenderer;
  publicUrl: string;
  now?: () => Date;
}

/** Kinds of stored documents. */
export type DocumentKind = 'answer_letter' | 'acknowledgement' | 'certificate' | 'quality_report' | 'payment_receipt';

/** Input of the per-request document activities; the key makes a retried activity return the same document. */
export interface RequestDocumentInput {
  tenantId: string;
  requestId: string;
  idempotencyKey: string;
}

/** Input of renderAnswerLetter; `answer` overrides the answer stored on the request. */
export interface AnswerLetterInput extends RequestDocumentInput {
  answer?: string;
  /** Print only when the citizen chose to be answered by post (the workflow need not know the reply channel). */
  onlyForPostalReply?: boolean;
}

/** Input of renderPaymentReceipt: the paid payment by its key (the collect_payment entry's). */
export interface PaymentReceiptInput extends RequestDocumentInput {
  paymentKey: string;
}

/** Input of renderQualityReport: the month (YYYY-MM) and the figures computed by the dashboard. */
export interface QualityReportInput {
  tenantId: string;
  month: string;
  figures: DepartmentFigures[];
  comment?: string;
  idempotencyKey: string;
}

/** What a document activity returns: an id, never the PDF (PDFs stay out of workflow history). */
export interface DocumentRef {
  documentId: string;
  created: boolean;
}

/** renderAnswerLetter with `onlyForPostalReply` for a citizen answered otherwise. */
export interface SkippedDocument {
  documentId: null;
  skipped: string;
}

/** The document activities, bound to their dependencies. */
export function createDocumentActivities(deps: DocumentActivityDeps) {
  const now = deps.now ?? (() => new Date());

  async function existing(em: EntityManager, key: string): Promise<string | undefined> {
    const [row] = await query<{ id: string }>(em, 'select id from document where idempotency_key = ?', [key]);
    return row?.id;
  }

  async function store(
    em: EntityManager,
    doc: { tenantId: string; requestId: string | null; kind: DocumentKind; template: string; key: string; fileName: string; content: Buffer; public: boolean },
  ): Promise<DocumentRef> {
    const sha256 = createHash('sha256').update(doc.content).digest('hex');
    const [inserted] = await em.getConnection().execute(
      `insert into document (id, tenant_id, request_id, kind, template, idempotency_key, file_name, content, size, sha256, public, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()) on conflict (idempotency_key) do nothing returning id`,
      [randomUUID(), doc.tenantId, doc.requestId, doc.kind, doc.template, doc.key, doc.fileName, doc.content, doc.content.length, sha256, doc.public],
    );
    if (inserted) return { documentId: inserted.id, created: true };
    // A concurrent attempt won the race: its document is the one.
    return { documentId: (await existing(em, doc.key))!, created: false };
  }

  async function requestContext(em: EntityManager, input: RequestDocumentInput): Promise<{ tenant: TenantDocumentContext; request: RequestDocumentContext }> {
    const tenant = await loadTenantContext(em, input.tenantId);
    const request = tenant ? await loadRequestForDocument(em, input.tenantId, input.requestId) : undefined;
    if (!tenant || !request) throw ApplicationFailure.nonRetryable(`Unknown request ${input.requestId} of tenant ${input.tenantId}`, 'UnknownRequest');
    return { tenant, request };
  }

  function common(tenant: TenantDocumentContext, request?: RequestDocumentContext) {
    return {
      tenant: tenant.letterhead,
      place: tenant.place,
      dateLong: frenchLongDate(now(), tenant.timeZone),
      ...(request
        ? { reference: request.reference, subject: request.subject, department: request.departmentName, topic: request.topicLabel, recipientLines: recipientLines(request.citizen) }
        : {}),
    };
  }

  async function renderForRequest(
    input: RequestDocumentInput,
    kind: DocumentKind,
    templateNames: string[],
    fallback: DocumentTemplateName,
    build: (tenant: TenantDocumentContext, request: RequestDocumentContext, em: EntityManager) => Promise<Record<string, unknown>> | Record<string, unknown>,
    fileName: (reference: string) => string,
  ): Promise<DocumentRef> {
    const em = deps.orm.em.fork();
    const done = await existing(em, input.idempotencyKey);
    if (done) return { documentId: done, created: false };
    const { tenant, request } = await requestContext(em, input);
    const { name, template } = await resolveTemplate(em, tenant.tenantId, templateNames, fallback);
    const data = { ...common(tenant, request), ...(await build(tenant, request, em)) };
    const content = await deps.renderer.render(template, data);
    return store(em, { tenantId: tenant.tenantId, requestId: request.id, kind, template: name, key: input.idempotencyKey, fileName: fileName(request.reference), content, public: true });
  }

  /** Renders the answer as a print-ready postal letter (recipient in the DL envelope window); returns its id. */
  async function renderAnswerLetter(input: AnswerLetterInput): Promise<DocumentRef | SkippedDocument> {
    if (input.onlyForPostalReply) {
      const [row] = await query<{ reply_channel: string }>(deps.orm.em.fork(), 'select reply_channel from request where id = ? and tenant_id = ?', [input.requestId, input.tenantId]);
      if (row && row.reply_channel !== 'post') return { documentId: null, skipped: `reply channel ${row.reply_channel}` };
    }
    return renderForRequest(
      input,
      'answer_letter',
      ['answer-letter'],
      'answer-letter',
      (_tenant, request) => {
        const answer = input.answer ?? request.answer;
        if (!answer) throw ApplicationFailure.nonRetryable(`Request ${request.reference} has no answer to print`, 'NoAnswer');
        if (recipientLines(request.citizen).length < 2) throw ApplicationFailure.nonRetryable(`Request ${request.reference} has no postal address`, 'InvalidRecipient');
        return { answer };
      },
      (reference) => `courrier-${reference}.pdf`,
    );
  }

  /** Renders the acknowledgement receipt of a request; returns its id. */
  async function renderAcknowledgement(input: RequestDocumentInput): Promise<DocumentRef> {
    return renderForRequest(
      input,
      'acknowledgement',
      ['acknowledgement'],
      'acknowledgement',
      (tenant, request) => ({
        receivedLong: frenchLongDate(request.receivedAt, tenant.timeZone),
        dueLong: frenchLongDate(request.dueAt, tenant.timeZone),
        trackingUrl: trackingUrl(deps.publicUrl, tenant.slug, request.reference),
      }),
      (reference) => `accuse-reception-${reference}.pdf`,
    );
  }

  /** Renders the certificate-style document of a document request from its form answers; returns its id. */
  async function renderCertificate(input: RequestDocumentInput): Promise<DocumentRef> {
    const em = deps.orm.em.fork();
    const [row] = await query<{ form: string | null; form_version: number | null }>(
      em,
      'select tp.form, r.form_version from request r join topic tp on tp.id = r.topic_id where r.id = ? and r.tenant_id = ?',
      [input.requestId, input.tenantId],
    );
    const stored = row?.form
      ? row.form_version
        ? await formAtVersion(em, input.tenantId, row.form, row.form_version)
        : await latestForm(em, input.tenantId, row.form)
      : undefined;
    const formTemplate = stored?.definition.workflow.documentTemplate;
    return renderForRequest(
      input,
      'certificate',
      formTemplate ? [formTemplate] : [],
      'certificate',
      (_tenant, request) => ({
        title: stored?.definition.title.replace(/^Demande d['’]/, 'Attestation de demande d’') ?? `Attestation — ${request.topicLabel}`,
        fields: stored && request.formData ? describeAnswers(stored.definition, request.formData) : [{ label: 'Objet', value: request.subject }],
      }),
      (reference) => `document-${reference}.pdf`,
    );
  }

  /**
   * Renders the receipt of a request's paid payment (public: the citizen downloads it from the tracking page); returns
   * its id. Refuses, without retrying, a payment that is not paid.
   */
  async function renderPaymentReceipt(input: PaymentReceiptInput): Promise<DocumentRef & { amount: string; product: string }> {
    const receipt = await paymentReceiptData(deps.orm.em, input.tenantId, input.requestId, input.paymentKey);
    if (!receipt) throw ApplicationFailure.nonRetryable(`Payment ${input.paymentKey} is not paid: no receipt`, 'NotPaid');
    const { amountCents: _cents, ...printed } = receipt;
    const ref = await renderForRequest(input, 'payment_receipt', ['payment-receipt'], 'payment-receipt', () => printed, (reference) => `recu-paiement-${reference}.pdf`);
    // The e-mail's words, small enough for history: the PDF itself stays in the database.
    return { ...ref, amount: receipt.amount, product: receipt.product };
  }

  /** Renders the monthly quality-of-service report of a tenant for administrators; returns its id. */
  async function renderQualityReport(input: QualityReportInput): Promise<DocumentRef> {
    const em = deps.orm.em.fork();
    const done = await existing(em, input.idempotencyKey);
    if (done) return { documentId: done, created: false };
    const tenant = await loadTenantContext(em, input.tenantId);
    if (!tenant) throw ApplicationFailure.nonRetryable(`Unknown tenant ${input.tenantId}`, 'UnknownRequest');
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(input.month)) throw ApplicationFailure.nonRetryable(`Invalid month ${input.month}`, 'InvalidInput');
    const { name, template } = await resolveTemplate(em, tenant.tenantId, ['quality-report'], 'quality-report');
    const monthLabel = frenchMonth(input.month);
    const rows = input.figures.map(formatFigures);
    const totals = formatFigures(totalFigures(input.figures));
    const content = await deps.renderer.render(template, { ...common(tenant), monthLabel, rows, totals, comment: input.comment });
    return store(em, { tenantId: tenant.tenantId, requestId: null, kind: 'quality_report', template: name, key: input.idempotencyKey, fileName: `rapport-qualite-${input.month}.pdf`, content, public: false });
  }

  return { renderAnswerLetter, renderAcknowledgement, renderCertificate, renderPaymentReceipt, renderQualityReport };
}

/** The document activities as the workflow sees them (types only). */
export type DocumentActivities = ReturnType<typeof createDocumentActivities>;
