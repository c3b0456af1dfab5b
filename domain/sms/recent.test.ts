import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { Agent, Tenant } from '@/domain/entities';
import { tenantMailKeys } from '@/domain/notifications/mail-keys';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant, fileRequest } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';
import { recentReceivedSms, recentSentSms } from './recent';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenantId: string;
let otherId: string;
let resetId: string;

/** One e-mail notification, one letter, one password reset, two outgoing and one incoming SMS of a tenant; returns the reset's id. */
async function traffic(slug: string, label: string): Promise<string> {
  const fork = await em();
  const tenant = await fork.getRepository(Tenant).getBySlug(slug);
  const agent = await fork.findOneOrFail(Agent, { tenant, email: `agent.${slug}@mairie.test` });
  await query(
    fork,
    `insert into notification (id, tenant_id, idempotency_key, channel, recipient, template, created_at)
     values (gen_random_uuid(), ?, ?, 'email', 'jeanne@example.fr', 'acknowledgement', now()), (gen_random_uuid(), ?, ?, 'post', 'Jeanne Dupont', 'answer', now())`,
    [tenant.id, `mail:${label}`, tenant.id, `letter:${label}`],
  );
  const [reset] = await query<{ id: string }>(
    fork,
    `insert into password_reset (id, tenant_id, agent_id, token_hash, expires_at) values (gen_random_uuid(), ?, ?, ?, now() + interval '1 hour') returning id`,
    [tenant.id, agent.id, randomUUID()],
  );
  await query(
    fork,
    `insert into sms_message (id, tenant_id, idempotency_key, recipient, sender, text, data_coding, segment_count, created_at)
     values (gen_random_uuid(), ?, ?, '+33612345678', 'MAIRIE', ?, 0, 1, now() - interval '1 minute'),
            (gen_random_uuid(), ?, ?, '+33612345678', 'MAIRIE', ?, 0, 1, now())`,
    [tenant.id, `sms:${label}:0`, `Premier ${label}`, tenant.id, `sms:${label}:1`, `Second ${label}`],
  );
  await query(
    fork,
    `insert into sms_inbound (id, tenant_id, sender, recipient, text, dedupe_hash, request_id) values (gen_random_uuid(), ?, '+33612345678', '36180', ?, ?, gen_random_uuid())`,
    [tenant.id, `MAIRIE ${label}`, randomUUID().replaceAll('-', '')],
  );
  return reset.id;
}

beforeAll(async () => {
  const [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  resetId = await traffic(tenant.slug, 'a');
  await traffic(other.slug, 'b');
  const fork = await em();
  [tenantId, otherId] = [(await fork.getRepository(Tenant).getBySlug(tenant.slug)).id, (await fork.getRepository(Tenant).getBySlug(other.slug)).id];
});
afterAll(() => closeAllORMs());

describe('development views of a tenant’s messages', () => {
  it('name only the tenant’s own e-mails: its e-mail notifications and password resets', async () => {
    expect(await tenantMailKeys(await em(), tenantId)).toEqual(new Set(['mail:a', `password-reset:${resetId}`]));
    expect([...(await tenantMailKeys(await em(), otherId))]).not.toContain('mail:a');
  });

  it('give the reference of the request an SMS belongs to', async () => {
    const fork = await em();
    const tenant = await fork.findOneOrFail(Tenant, { id: tenantId });
    const { receipt } = await fileRequest(tenant.slug, { contact: { email: citizenEmail(), name: 'Jeanne Dupont' } });
    const [request] = await query<{ id: string }>(fork, 'select id from request where tenant_id = ? and reference = ?', [tenantId, receipt.reference]);
    await query(fork, 'update sms_message set request_id = ? where idempotency_key = ?', [request.id, 'sms:a:0']);
    await query(fork, 'update sms_inbound set request_id = ? where tenant_id = ?', [request.id, tenantId]);
    expect((await recentSentSms(await em(), tenantId)).map((s) => s.reference)).toEqual([null, receipt.reference]);
    expect((await recentReceivedSms(await em(), tenantId)).map((s) => s.reference)).toEqual([receipt.reference]);
    // Another tenant's inbound SMS never shows a reference of this one.
    await query(fork, 'update sms_inbound set request_id = ? where tenant_id = ?', [request.id, otherId]);
    expect((await recentReceivedSms(await em(), otherId)).map((s) => s.reference)).toEqual([null]);
    await query(fork, 'update sms_message set request_id = null where idempotency_key = ?', ['sms:a:0']);
    await query(fork, 'update sms_inbound set request_id = gen_random_uuid() where tenant_id in (?, ?)', [tenantId, otherId]);
  });

  it('list the tenant’s SMS newest first, without a reference when the request is unknown', async () => {
    const sent = await recentSentSms(await em(), tenantId);
    expect(sent.map((s) => s.text)).toEqual(['Second a', 'Premier a']);
    expect(sent[0]).toMatchObject({ recipient: '+33612345678', sender: 'MAIRIE', segmentCount: 1, status: 'queued', reference: null });
    expect(await recentSentSms(await em(), tenantId, 1)).toHaveLength(1);
    const received = await recentReceivedSms(await em(), tenantId);
    expect(received).toEqual([expect.objectContaining({ sender: '+33612345678', text: 'MAIRIE a', outcome: 'received', reference: null })]);
    expect((await recentSentSms(await em(), otherId)).map((s) => s.text)).toEqual(['Second b', 'Premier b']);
  });
});
