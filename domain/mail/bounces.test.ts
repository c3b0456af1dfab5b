import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { parseEmail } from '@/integrations/mail/parse';
import { buildDsn, type DsnRecipient } from '@/integrations/mail/testing/dsn';
import { createTestTenant, eventually, fileRequest } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';
import { deploymentMailTokens } from './deployment';
import { recordDeliveryReport } from './bounces';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenant: Awaited<ReturnType<typeof createTestTenant>>;

interface NotificationRow {
  id: string;
  request_id: string;
  status: string;
  message_id: string;
  error: string | null;
  bounce_status: string | null;
  bounced_at: Date | null;
}

beforeAll(async () => {
  tenant = await createTestTenant();
});
afterAll(() => closeAllORMs());

/** A request whose acknowledgement the worker has sent, and that acknowledgement's record. */
async function sentAcknowledgement(): Promise<NotificationRow & { to: string }> {
  const to = citizenEmail();
  await fileRequest(tenant.slug, { contact: { email: to } });
  const row = await eventually(async () => {
    const [found] = await query<NotificationRow>(await em(), `select * from notification where recipient = ? and template = 'acknowledgement' and status = 'sent'`, [to]);
    if (!found) throw new Error('acknowledgement not sent yet');
    return found;
  });
  return { ...row, to };
}

async function report(notification: { id: string; message_id: string; to: string }, recipient: Omit<DsnRecipient, 'recipient'>) {
  const raw = buildDsn({ to: deploymentMailTokens().bounceAddress(notification.id), originalMessageId: notification.message_id, recipients: [{ recipient: notification.to, ...recipient }] });
  const parsed = await parseEmail(raw);
  expect(parsed.deliveryReport).toBeDefined();
  return parsed.deliveryReport!;
}

const reload = async (id: string) => (await query<NotificationRow>(await em(), 'select * from notification where id = ?', [id]))[0];
const eventsOf = async (requestId: string, type: string) =>
  query<{ type: string; public: boolean; data: Record<string, unknown> }>(await em(), 'select type, public, data from request_event where request_id = ? and type = ?', [requestId, type]);

describe('recordDeliveryReport', () => {
  it('marks a refused e-mail bounced with the status code and the remote server’s text, once, and tells the case', async () => {
    const ack = await sentAcknowledgement();
    const failed = await report(ack, { action: 'failed', status: '5.1.1', diagnostic: `550 5.1.1 <${ack.to}>: Recipient address rejected: User unknown` });

    expect(await recordDeliveryReport(await em(), ack.id, failed)).toBe(true);
    const bounced = await reload(ack.id);
    expect(bounced).toMatchObject({ status: 'bounced', bounce_status: '5.1.1', error: `550 5.1.1 <${ack.to}>: Recipient address rejected: User unknown` });
    expect(bounced.bounced_at).not.toBeNull();
    const events = await eventsOf(ack.request_id, 'notification_bounced');
    expect(events).toEqual([{ type: 'notification_bounced', public: false, data: expect.objectContaining({ notificationId: ack.id, status: '5.1.1', template: 'acknowledgement', recipient: ack.to }) }]);

    // The same report again (a second DSN, a redelivery): nothing changes.
    const again = await report(ack, { action: 'failed', status: '5.7.1', diagnostic: '554 5.7.1 Rejected' });
    expect(await recordDeliveryReport(await em(), ack.id, again)).toBe(true);
    expect(await reload(ack.id)).toEqual(bounced);
    expect(await eventsOf(ack.request_id, 'notification_bounced')).toHaveLength(1);
  });

  it('notes a delay on the case without failing the e-mail, then a delivery marks it delivered', async () => {
    const ack = await sentAcknowledgement();
    const delayed = await report(ack, { action: 'delayed', status: '4.4.1', diagnostic: '421 4.4.1 Connection timed out' });
    expect(await recordDeliveryReport(await em(), ack.id, delayed)).toBe(true);
    expect((await reload(ack.id)).status).toBe('sent');
    expect(await eventsOf(ack.request_id, 'notification_delayed')).toEqual([
      { type: 'notification_delayed', public: false, data: expect.objectContaining({ status: '4.4.1', diagnostic: '421 4.4.1 Connection timed out' }) },
    ]);

    const delivered = await report(ack, { action: 'delivered', status: '2.0.0' });
    expect(await recordDeliveryReport(await em(), ack.id, delivered)).toBe(true);
    expect((await reload(ack.id)).status).toBe('delivered');
  });

  it('keeps a bounce when a delivery report follows it', async () => {
    const ack = await sentAcknowledgement();
    await recordDeliveryReport(await em(), ack.id, await report(ack, { action: 'failed', status: '5.2.2', diagnostic: '552 5.2.2 Mailbox full' }));
    await recordDeliveryReport(await em(), ack.id, await report(ack, { action: 'delivered', status: '2.0.0' }));
    expect(await reload(ack.id)).toMatchObject({ status: 'bounced', bounce_status: '5.2.2', error: '552 5.2.2 Mailbox full' });
  });

  it('answers false for a notification that does not exist', async () => {
    const ack = { id: randomUUID(), message_id: `${randomUUID()}@relais.localhost`, to: citizenEmail() };
    expect(await recordDeliveryReport(await em(), ack.id, await report(ack, { action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 unknown' }))).toBe(false);
  });
});
