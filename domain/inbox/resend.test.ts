import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { ConflictError, InputError } from '@/domain/validation';
import { temporalRequestCommands } from '@/temporal/request-commands';
import { actorFor, createTestTenant, eventsOf, eventually, fileRequest, testClient } from '@/temporal/testing/fixtures';
import { citizenEmail, waitForMail } from '@/temporal/testing/helpers';
import { keepHistory } from '@/temporal/testing/histories';
import { resendNotificationUpdate } from '@/workflows/request/definitions';
import { caseMessages } from './notifications';
import { resendMessage } from './resend';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let tenantId: string;

beforeAll(async () => {
  tenant = await createTestTenant();
  [{ id: tenantId }] = await query<{ id: string }>(await em(), 'select id from tenant where slug = ?', [tenant.slug]);
});
afterAll(() => closeAllORMs());

const phone = () => `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

async function acknowledged(contact: { email: string; phone?: string }) {
  const filed = await fileRequest(tenant.slug, { contact });
  const [request] = await query<{ id: string }>(await em(), 'select id from request where tenant_id = ? and reference = ?', [tenantId, filed.receipt.reference]);
  const ack = await eventually(async () => {
    const found = (await caseMessages(await em(), tenantId, request.id)).find((m) => m.template === 'acknowledgement' && m.status === 'sent');
    if (!found) throw new Error('acknowledgement not sent yet');
    return found;
  });
  return { ...filed, requestId: request.id, ack };
}

async function refusalOf(work: Promise<unknown>): Promise<Error> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeDefined();
  return error!;
}

const resend = async (reference: string, body: unknown, agent = 'agent', smsAvailable = true) =>
  resendMessage(
    { em: await em(), requests: temporalRequestCommands(await testClient()), smsAvailable },
    { tenantId, actor: await actorFor(tenant.slug, tenant.mail(agent)), reference },
    body,
  );

const audits = async (reference: string) =>
  query<{ outcome: string; data: Record<string, unknown> }>(await em(), `select outcome, data from audit_log where tenant_id = ? and action = 'request.resend' and target = ? order by at`, [tenantId, reference]);

describe('resending a message through the other channel', () => {
  it('sends the acknowledgement by SMS exactly once per resend, through the workflow, audited', async () => {
    const email = citizenEmail();
    const { receipt, handle, requestId, ack } = await acknowledged({ email, phone: phone() });

    const outcome = await resend(receipt.reference, { message: ack.id, channel: 'sms' });
    expect(outcome.message).toBe('Message renvoyé par SMS');

    const sms = await eventually(async () => {
      const rows = await query<{ idempotency_key: string; template: string; status: string; text: string }>(
        await em(),
        'select idempotency_key, template, status, text from sms_message where request_id = ?',
        [requestId],
      );
      if (!rows.some((r) => r.status === 'submitted' || r.status === 'delivered')) throw new Error('SMS not submitted yet');
      return rows;
    });
    expect(sms).toHaveLength(1);
    expect(sms[0].idempotency_key).toBe(`${handle.workflowId}:resend:1`);
    expect(sms[0].template).toBe('acknowledgement');
    expect(sms[0].text).toContain(receipt.reference);
    expect((await eventsOf(requestId)).filter((e) => e.type === 'notification_resent')).toEqual([
      expect.objectContaining({ public: false, data: expect.objectContaining({ template: 'acknowledgement', channel: 'sms', sent: 1 }) }),
    ]);
    expect(await audits(receipt.reference)).toEqual([{ outcome: 'ok', data: expect.objectContaining({ message: ack.id, channel: 'sms', template: 'acknowledgement' }) }]);

    // The SMS, sent back by e-mail: a second resend, its own key, the e-mail carrying the tracking code again.
    const [smsMessage] = (await caseMessages(await em(), tenantId, requestId)).filter((m) => m.channel === 'sms');
    await resend(receipt.reference, { message: smsMessage.id, channel: 'email' });
    const copies = await waitForMail(email, (m) => m.subject?.includes('bien été reçue') ?? false, { count: 2 });
    expect(new Set(copies.map((m) => m.messageId)).size).toBe(2);
    expect(copies[1].text).toContain('Code de suivi');
    expect((await eventsOf(requestId)).filter((e) => e.type === 'notification_resent')).toHaveLength(2);
    await keepHistory('resend-other-channel', handle);
  });

  it('refuses in French what cannot be resent, before the workflow or in its validator, and audits the refusal', async () => {
    const { receipt, handle, ack } = await acknowledged({ email: citizenEmail() });
    const accepted = async () => ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    const before = await accepted();

    expect((await refusalOf(resend(receipt.reference, { message: ack.id, channel: 'fax' }))).constructor).toBe(InputError);
    expect((await refusalOf(resend(receipt.reference, { message: ack.id, channel: 'email' }))).message).toBe('Ce message est déjà parti par courriel : choisissez l’autre canal.');
    expect((await refusalOf(resend(receipt.reference, { message: ack.id, channel: 'sms' }))).message).toBe('Le citoyen n’a pas donné de numéro de téléphone mobile.');

    const { receipt: other, ack: otherAck } = await acknowledged({ email: citizenEmail(), phone: phone() });
    const smsOff = await refusalOf(resend(other.reference, { message: otherAck.id, channel: 'sms' }, 'agent', false));
    expect(smsOff).toBeInstanceOf(ConflictError);
    expect(smsOff.message).toBe('L’envoi de SMS n’est pas configuré sur cette installation.');
    // The workflow's validator: another department's agent.
    const elsewhere = await refusalOf(resend(other.reference, { message: otherAck.id, channel: 'sms' }, 'civil'));
    expect(elsewhere).toBeInstanceOf(ConflictError);
    expect(elsewhere.message).toBe('Cette demande est traitée par un autre service.');
    expect((await audits(other.reference)).map((a) => [a.outcome, a.data.reason])).toEqual([
      ['refused', 'L’envoi de SMS n’est pas configuré sur cette installation.'],
      ['refused', 'Cette demande est traitée par un autre service.'],
    ]);

    // Straight to the workflow: what it never sent is refused by the validator, and nothing enters history.
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));
    const update = (input: Record<string, unknown>) => handle.executeUpdate(resendNotificationUpdate, { args: [{ actor: agent, template: 'answer', channel: 'sms', ...input } as never] });
    const messages = async (input: Record<string, unknown>) => {
      const error = await refusalOf(update(input));
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      return (error as WorkflowUpdateFailedError).cause?.message;
    };
    expect(await messages({})).toBe('Aucune réponse n’a encore été envoyée : il n’y a rien à renvoyer.');
    expect(await messages({ template: 'information_requested' })).toBe('Aucune question n’a été posée au citoyen : il n’y a rien à renvoyer.');
    expect(await messages({ template: 'state_changed', state: 'closed' })).toBe('Ce changement d’état n’a pas été annoncé au citoyen.');
    expect(await messages({ template: 'new_request' })).toBe('Seuls les messages adressés au citoyen peuvent être renvoyés.');
    expect(await messages({ template: 'acknowledgement', channel: 'fax' })).toBe('Choisissez le canal du renvoi : courriel ou SMS.');
    expect(await accepted()).toBe(before);
  });
});
