import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant, fileRequest } from '@/temporal/testing/fixtures';
import { Migration2026120517PhoneE164 } from './Migration2026120517PhoneE164';

afterAll(() => closeAllORMs());

/** A mobile number no other test uses: 06 12 followed by six digits. */
const national = () => `06 12 ${String(randomInt(0, 1_000_000)).padStart(6, '0').replace(/(\d{2})(?=\d)/g, '$1 ')}`;
const e164 = (typed: string) => `+33${typed.replace(/\D/g, '').slice(1)}`;

describe('Migration2026120517PhoneE164', () => {
  it('rewrites the numbers stored before intake normalised them, merging opt-outs of one number', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const em = orm.em.fork();
    const tenant = await createTestTenant();
    const [{ id: tenantId }] = await query<{ id: string }>(em, 'select id from tenant where slug = ?', [tenant.slug]);
    const typed = national();
    const { receipt } = await fileRequest(tenant.slug, { contact: { phone: typed } }, `relais-idle-${randomUUID().slice(0, 8)}`);
    // As an earlier release stored them: the citizen's number as typed, the tenant's short code spaced, an overseas
    // mobile under +33, and one number STOPped under two spellings.
    const shortCode = String(randomInt(30_000, 40_000));
    await query(em, `update request set citizen = jsonb_set(citizen, '{phone}', to_jsonb(?::text)) where tenant_id = ? and reference = ?`, [typed, tenantId, receipt.reference]);
    await query(em, `update tenant set settings = jsonb_set(settings, '{smsNumber}', to_jsonb(?::text)) where id = ?`, [`${shortCode.slice(0, 2)} ${shortCode.slice(2)}`, tenantId]);
    const overseas = `+33692${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    await query(em, `insert into sms_inbound (id, tenant_id, sender, recipient, text, dedupe_hash) values (?, ?, ?, ?, 'Bonjour', ?)`, [randomUUID(), tenantId, overseas, shortCode, randomUUID()]);
    await query(em, 'insert into sms_opt_out (id, tenant_id, phone) values (?, ?, ?), (?, ?, ?)', [randomUUID(), tenantId, typed, randomUUID(), tenantId, e164(typed)]);
    await query(em, 'insert into sms_opt_out (id, tenant_id, phone) values (?, ?, ?)', [randomUUID(), tenantId, 'pas un numéro']);

    await new Migration2026120517PhoneE164(orm.em.getDriver(), orm.config).up();

    const [request] = await query<{ phone: string }>(em, `select citizen->>'phone' as phone from request where tenant_id = ? and reference = ?`, [tenantId, receipt.reference]);
    expect(request.phone).toBe(e164(typed));
    const [settings] = await query<{ sms_number: string }>(em, `select settings->>'smsNumber' as sms_number from tenant where id = ?`, [tenantId]);
    expect(settings.sms_number).toBe(shortCode);
    const inbound = await query<{ sender: string; recipient: string }>(em, 'select sender, recipient from sms_inbound where tenant_id = ?', [tenantId]);
    expect(inbound).toEqual([{ sender: `+262${overseas.slice(3)}`, recipient: shortCode }]);
    const optOuts = await query<{ phone: string }>(em, 'select phone from sms_opt_out where tenant_id = ? order by phone', [tenantId]);
    expect(optOuts.map((row) => row.phone)).toEqual([e164(typed), 'pas un numéro']);
  });
});
