import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { MOVE_SMS_NOTIFICATIONS } from './Migration2026120518SmsStatus';

afterAll(() => closeAllORMs());

describe('Migration2026120518SmsStatus', () => {
  it('leaves each SMS one record, in sms_message, and notification the e-mails', async () => {
    const em = (await initORM(env().DATABASE_URL!)).em.fork();
    const [{ id: tenantId }] = await query<{ id: string }>(em, "select id from tenant where slug = 'demo'");
    const key = (name: string) => `test:${name}:${randomUUID()}`;
    const keys = { mirrored: key('mirrored'), cutOff: key('cut-off'), orphan: key('orphan'), email: key('email') };
    // As an earlier release wrote them: an SMS in both tables, one whose attempt stopped before its claim, one sent
    // with no sms_message (which should not exist), and an e-mail.
    const notification = (idempotencyKey: string, channel: string, status: string) =>
      query(em, `insert into notification (id, tenant_id, idempotency_key, channel, recipient, template, subject, status, created_at) values (?, ?, ?, ?, '+33612345678', 'answer', 'Réponse', ?, now())`, [
        randomUUID(), tenantId, idempotencyKey, channel, status,
      ]);
    await notification(keys.mirrored, 'sms', 'delivered');
    await query(em, `insert into sms_message (id, tenant_id, idempotency_key, recipient, sender, text, data_coding, segment_count, status) values (?, ?, ?, '+33612345678', 'VILLE', 'Réponse', 0, 1, 'delivered')`, [
      randomUUID(), tenantId, keys.mirrored,
    ]);
    await notification(keys.cutOff, 'sms', 'pending');
    await notification(keys.orphan, 'sms', 'sent');
    await notification(keys.email, 'email', 'sent');

    for (const statement of MOVE_SMS_NOTIFICATIONS) await query(em, statement);

    const left = await query<{ idempotency_key: string }>(em, 'select idempotency_key from notification where idempotency_key = any(?::text[])', [`{${Object.values(keys).join(',')}}`]);
    expect(left.map((row) => row.idempotency_key)).toEqual([keys.email]);
    const sms = await query<{ idempotency_key: string; status: string }>(em, 'select idempotency_key, status from sms_message where idempotency_key = any(?::text[]) order by status', [`{${Object.values(keys).join(',')}}`]);
    expect(sms).toEqual([
      { idempotency_key: keys.mirrored, status: 'delivered' },
      { idempotency_key: keys.orphan, status: 'submitted' },
    ]);
  });
});
