import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestActivities } from '@/activities/request/request-activities';
import { Payment, Product, type PaymentState } from '@/domain/entities';
import { env } from '@/domain/env';
import { formatEuros } from '@/domain/format/french';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createPdfRenderer, type PdfRenderer } from '@/integrations/documents/renderer';
import { createSmtpSender } from '@/integrations/mail/smtp';
import { citizenEmail, mailTo, waitForMail } from '@/temporal/testing/helpers';
import { createDocumentActivities } from './document-activities';
import { insertRequest, pdfText } from './test-support';

let orm: MikroORM;
let renderer: PdfRenderer;
let documents: ReturnType<typeof createDocumentActivities>;
let requests: ReturnType<typeof createRequestActivities>;
const email = () => createSmtpSender(env().SMTP_URL!, env().SMTP_FROM);

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  renderer = createPdfRenderer();
  documents = createDocumentActivities({ orm, renderer, publicUrl: 'http://relais.test', now: () => new Date('2026-12-05T10:00:00Z') });
  requests = createRequestActivities({ orm, email: email(), publicUrl: 'http://relais.test' });
});

afterAll(async () => {
  await renderer?.close();
  await closeAllORMs();
});

/** A request of the demo tenant with a payment of two theatre seats in `state`. */
async function paidRequest(state: PaymentState = 'paid', to = citizenEmail('recu')) {
  const request = await insertRequest(orm, { replyChannel: 'email', citizen: { name: 'Jeanne Dupont', email: to } });
  const em = orm.em.fork();
  const product = await em.findOneOrFail(Product, { tenant: request.tenantId, slug: 'theatre-le-cid' });
  const key = `request:demo:${request.reference}:payment:2`;
  const providerId = `op${randomUUID().replace(/-/g, '').slice(0, 14)}`;
  const reference = `R${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}P02`;
  await em.insert(Payment, {
    id: randomUUID(),
    tenant: request.tenantId,
    provider: 'payfip',
    providerId,
    reference,
    idempotencyKey: key,
    amount: 2_400,
    product: product.id,
    quantity: 2,
    request: request.id,
    state,
    expiresAt: new Date(Date.now() + 20 * 60_000),
    ...(state === 'paid' ? { paidAt: new Date('2026-12-05T09:12:00Z'), authorisation: '987654', transactionDate: '05122026', transactionTime: '1012', providerCode: 'P' } : {}),
  });
  return { request, key, providerId, reference, to };
}

describe('payment receipt', () => {
  it('prints the municipality, régie, product, quantity, prices, date and time, numauto, idOp, refdet and request reference', async () => {
    const { request, key, providerId, reference } = await paidRequest();
    const ref = await documents.renderPaymentReceipt({ tenantId: request.tenantId, requestId: request.id, idempotencyKey: `${key}:receipt`, paymentKey: key });
    expect(ref).toMatchObject({ created: true, amount: formatEuros(2_400), product: 'Théâtre : « Le Cid » (samedi 14 mars 2027, 20 h 30)' });
    const [doc] = await query<{ content: Buffer; kind: string; public: boolean; file_name: string }>(orm.em.fork(), 'select content, kind, public, file_name from document where id = ?', [ref.documentId]);
    expect(doc).toMatchObject({ kind: 'payment_receipt', public: true, file_name: `recu-paiement-${request.reference}.pdf` });
    const text = (await pdfText(doc.content)).replace(/\s+/g, ' ');
    for (const expected of ['Reçu de paiement', 'Ville de Démo', 'régie de recettes', 'Le Cid', 'Quantité 2', '12,00 €', '24,00 €', '5 décembre 2026 à 10 h 12', '987654', providerId, reference, request.reference]) {
      expect(text).toContain(expected);
    }
  });

  it('is rendered once per key and e-mailed once as a PDF attachment, however often the step retries', async () => {
    const { request, key, to } = await paidRequest();
    const input = { tenantId: request.tenantId, requestId: request.id, idempotencyKey: `${key}:receipt`, paymentKey: key };
    // A retried activity (a worker that died after rendering, before the workflow heard of it) finds the first PDF.
    const [first, second] = [await documents.renderPaymentReceipt(input), await documents.renderPaymentReceipt(input)];
    expect(second).toMatchObject({ documentId: first.documentId, created: false });
    const notify = () =>
      requests.notifyCitizen({ tenantId: request.tenantId, requestId: request.id, template: 'payment_receipt', idempotencyKey: `${key}:receipt`, documentId: first.documentId, channel: 'email', vars: { amount: first.amount, product: first.product } });
    expect(await notify()).toEqual({ sent: 1, skipped: 0 });
    expect(await notify()).toMatchObject({ sent: 0, skipped: 1, reason: 'already sent' });
    const [mail] = await waitForMail(to, (m) => m.subject?.includes('reçu de votre paiement') ?? false);
    expect(mail.text!.replace(/\s/g, ' ')).toContain('24,00 €');
    expect(mail.attachments).toEqual([{ filename: `recu-paiement-${request.reference}.pdf`, contentType: 'application/pdf', size: expect.any(Number) }]);
    expect((await mailTo(to)).filter((m) => m.subject?.includes('reçu de votre paiement'))).toHaveLength(1);
  });

  it('is refused for a payment that is not paid, and a document of another request is never attached', async () => {
    const { request, key } = await paidRequest('pending');
    await expect(documents.renderPaymentReceipt({ tenantId: request.tenantId, requestId: request.id, idempotencyKey: `${key}:receipt`, paymentKey: key })).rejects.toThrow(/not paid/);
    const other = await paidRequest();
    const ref = await documents.renderPaymentReceipt({ tenantId: other.request.tenantId, requestId: other.request.id, idempotencyKey: `${other.key}:receipt`, paymentKey: other.key });
    await expect(
      requests.notifyCitizen({ tenantId: request.tenantId, requestId: request.id, template: 'payment_receipt', idempotencyKey: `${key}:stolen`, documentId: ref.documentId, channel: 'email' }),
    ).rejects.toThrow(/is not one of request/);
  });
});
