import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { deploymentMailTokens } from '@/domain/mail/deployment';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { actorFor, createTestTenant, eventually, fileRequest } from '@/temporal/testing/fixtures';
import { citizenEmail, waitForMail } from '@/temporal/testing/helpers';
import { askCitizenUpdate, openRequestUpdate } from '@/workflows/request/definitions';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenant: Awaited<ReturnType<typeof createTestTenant>>;

beforeAll(async () => {
  tenant = await createTestTenant();
});
afterAll(() => closeAllORMs());

const notificationOf = async (to: string, template: string) =>
  eventually(async () => {
    const [row] = await query<{ id: string; request_id: string; message_id: string; smtp_response: string | null; status: string }>(
      await em(),
      `select id, request_id, message_id, smtp_response, status from notification where recipient = ? and template = ? and status = 'sent'`,
      [to, template],
    );
    if (!row) throw new Error(`${template} not recorded as sent yet`);
    return row;
  });

describe('e-mails to a citizen', () => {
  it('carry the reference once, the signed reply address, the VERP envelope sender and the conversation', async () => {
    const to = citizenEmail();
    const { receipt, handle } = await fileRequest(tenant.slug, { subject: 'Trottoir abîmé', contact: { email: to } });
    const tokens = deploymentMailTokens();

    const [ack] = await waitForMail(to, (m) => m.subject?.includes('bien été reçue') ?? false);
    const ackRecord = await notificationOf(to, 'acknowledgement');
    expect(ack.subject?.split(`[Réf. ${receipt.reference}]`)).toHaveLength(2);
    expect(ack.headers['reply-to']).toBe(tokens.replyAddress(tenant.slug, receipt.reference));
    expect(tokens.parse(ack.headers['reply-to'])).toEqual({ kind: 'reply', tenantSlug: tenant.slug, reference: receipt.reference });
    // The header From stays the no-reply sender; the envelope names this notification for its bounce.
    expect(ack.from).toContain('ne-pas-repondre@');
    expect(ack.envelopeFrom).toBe(tokens.bounceAddress(ackRecord.id));
    expect(tokens.parse(ack.envelopeFrom)).toEqual({ kind: 'bounce', notificationId: ackRecord.id });
    expect(ack.messageId).toBe(`<${ackRecord.message_id}>`);
    expect(ackRecord.message_id).toMatch(new RegExp(`@${env().INBOUND_MAIL_DOMAIN.replace(/\./g, '\\.')}$`));
    expect(ackRecord.smtp_response).toMatch(/^250 /);
    expect(ack.headers['in-reply-to']).toBeUndefined();
    expect(ack.text).not.toContain('ne pas y répondre');
    expect(ack.text).toContain('répondez simplement à ce courriel');

    // The citizen wrote back by e-mail (filed by the inbound intake): the next message answers it.
    const citizenMessageId = `${randomUUID()}@exemple.fr`;
    const [tenantRow] = await query<{ id: string }>(await em(), 'select id from tenant where slug = ?', [tenant.slug]);
    await query(
      await em(),
      `insert into inbound_email (id, tenant_id, source, message_id, from_address, subject, dedupe_key, outcome, request_id, received_at)
       values (?, ?, 'smtp', ?, ?, 'Re: votre demande', ?, 'reply', ?, now())`,
      [randomUUID(), tenantRow.id, citizenMessageId, to, `${tenantRow.id}:${citizenMessageId}`, ackRecord.request_id],
    );
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));
    await handle.executeUpdate(openRequestUpdate, { args: [{ actor: agent }] });
    await handle.executeUpdate(askCitizenUpdate, { args: [{ actor: agent, question: 'Quel est le numéro de la rue ?' }] });

    const [question] = await waitForMail(to, (m) => m.subject?.includes('complément') ?? false);
    const questionRecord = await notificationOf(to, 'information_requested');
    expect(question.subject?.split(`[Réf. ${receipt.reference}]`)).toHaveLength(2);
    expect(question.headers['reply-to']).toBe(tokens.replyAddress(tenant.slug, receipt.reference));
    expect(question.headers['in-reply-to']).toBe(`<${citizenMessageId}>`);
    expect(question.headers.references?.split(/\s+/)).toEqual([`<${ackRecord.message_id}>`, `<${citizenMessageId}>`]);
    expect(question.envelopeFrom).toBe(tokens.bounceAddress(questionRecord.id));
  });

  it('tell staff from the no-reply sender, without a reply address', async () => {
    const to = citizenEmail();
    const { receipt } = await fileRequest(tenant.slug, { contact: { email: to } });
    const [notice] = await waitForMail(tenant.mail('agent'), (m) => m.subject?.includes(receipt.reference) ?? false);
    expect(notice.headers['reply-to']).toBeUndefined();
    expect(notice.subject).not.toContain('[Réf.');
  });
});
