import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { publicRequestView } from '@/domain/tracking/public-view';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { createSmtpSender } from '@/integrations/mail/smtp';
import { createRequestActivities } from '@/activities/request/request-activities';
import { ANONYMISED_SUBJECT, anonymiseRequests } from './anonymise';
import { personalDataOf, seedRequest, tenantIdOf } from '@/temporal/testing/privacy';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let tenantId: string;
let other: { slug: string; id: string };

beforeAll(async () => {
  tenant = await createTestTenant();
  tenantId = await tenantIdOf(await em(), tenant.slug);
  const second = await createTestTenant();
  other = { slug: second.slug, id: await tenantIdOf(await em(), second.slug) };
});
afterAll(() => closeAllORMs());

describe('anonymiseRequests', () => {
  it('removes every personal datum of the requests, keeps their figures, counts once and audits each call', async () => {
    const a = await seedRequest(await em(), tenant.slug, tenantId, { state: 'closed', monthsAgo: 30 });
    const b = await seedRequest(await em(), tenant.slug, tenantId, { state: 'rejected', monthsAgo: 2 });
    const kept = await seedRequest(await em(), tenant.slug, tenantId, { state: 'closed', monthsAgo: 30 });
    const before = await query(await em(), 'select id, state, topic_id, department_id, kind, channel, received_at, answered_at, closed_at, due_at, reference from request where id = any(?::uuid[]) order by id', [`{${a.id},${b.id}}`]);

    const first = await anonymiseRequests(await em(), tenantId, [a.id, b.id], { reason: 'Demande d’effacement' });
    expect(first).toEqual({ requests: 2, events: 4, attachments: 2, documents: 2, notifications: 2, smsMessages: 2, smsInbound: 2, emailInbound: 2 });
    for (const r of [a, b]) {
      const left = await personalDataOf(await em(), r);
      expect(left.traces).toBe(0);
      expect(left.attachments).toBe(0);
      expect(left.documents).toBe(0);
      expect(left.request.citizen).toEqual({});
      expect(left.request.subject).toBe(ANONYMISED_SUBJECT);
      expect(left.request.body).toBe('');
      expect(left.request.answer).toBeNull();
      expect(left.request.anonymised_at).not.toBeNull();
    }
    // Topic, department, kind, channel, dates, state and reference are what statistics read: unchanged.
    expect(await query(await em(), 'select id, state, topic_id, department_id, kind, channel, received_at, answered_at, closed_at, due_at, reference from request where id = any(?::uuid[]) order by id', [`{${a.id},${b.id}}`])).toEqual(before);
    // Neutral figures of the timeline stay; the texts go.
    const events = await query<{ type: string; data: Record<string, unknown> }>(await em(), 'select type, data from request_event where request_id = ? and key like ? order by key', [a.id, '9%']);
    expect(events).toEqual([{ type: 'note', data: {} }, { type: 'reminder_sent', data: { percent: 66, step: 0 } }, { type: 'answered', data: {} }]);

    const second = await anonymiseRequests(await em(), tenantId, [a.id, b.id], { reason: 'Demande d’effacement' });
    expect(Object.values(second).every((n) => n === 0)).toBe(true);

    expect((await personalDataOf(await em(), kept)).traces).toBeGreaterThan(0);
    const audit = await query<{ target: string | null; data: { reason: string; counts: Record<string, number>; references: string[] } }>(
      await em(),
      `select target, data from audit_log where tenant_id = ? and action = 'privacy.anonymise' order by at`,
      [tenantId],
    );
    expect(audit).toHaveLength(2);
    expect(audit[0].data).toEqual({ reason: 'Demande d’effacement', counts: first, references: [a.reference, b.reference].sort() });
    expect(audit[1].data.counts.requests).toBe(0);
  });

  it('ignores the requests of other tenants and malformed ids', async () => {
    const foreign = await seedRequest(await em(), other.slug, other.id, { state: 'closed', monthsAgo: 30 });
    const counts = await anonymiseRequests(await em(), tenantId, [foreign.id, 'not-a-uuid', "'; drop table request; --"], { reason: 'test' });
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
    expect((await personalDataOf(await em(), foreign)).traces).toBeGreaterThan(0);
  });

  it('makes the tracking code useless', async () => {
    const r = await seedRequest(await em(), tenant.slug, tenantId, { state: 'closed', monthsAgo: 30 });
    expect((await publicRequestView(await em(), tenant.slug, r.reference, r.trackingCode)).reference).toBe(r.reference);
    await anonymiseRequests(await em(), tenantId, [r.id], { reason: 'test', agentId: null });
    const [{ hash }] = await query<{ hash: string }>(await em(), 'select tracking_code_hash as hash from request where id = ?', [r.id]);
    expect(hash).toBe('');
    await expect(publicRequestView(await em(), tenant.slug, r.reference, r.trackingCode)).rejects.toThrow();
  });

  it('keeps an open request anonymised when its workflow records more: no answer, no text in new events', async () => {
    const r = await seedRequest(await em(), tenant.slug, tenantId, { state: 'in_progress', monthsAgo: 1 });
    await anonymiseRequests(await em(), tenantId, [r.id], { reason: 'Effacement d’une demande en cours' });
    const orm = await initORM(env().DATABASE_URL!);
    const email = createSmtpSender(env().SMTP_URL!, env().SMTP_FROM);
    const activities = createRequestActivities({ orm, email, publicUrl: env().PUBLIC_URL });
    const [{ department_id: departmentId }] = await query<{ department_id: string }>(await em(), 'select department_id from request where id = ?', [r.id]);
    const recorded = await activities.recordRequestEvent({
      tenantId, requestId: r.id, key: '99:answered', type: 'answered', public: true, actor: 'system', state: 'answered', departmentId,
      dueAt: new Date().toISOString(), answer: 'Madame Martin, voici notre réponse.', data: { body: 'Madame Martin, voici notre réponse.' },
    });
    email.close();
    expect(recorded).toBe(true);
    const left = await personalDataOf(await em(), r);
    expect(left.request.answer).toBeNull();
    expect(left.traces).toBe(0);
    const [event] = await query<{ data: unknown }>(await em(), `select data from request_event where request_id = ? and key = '99:answered'`, [r.id]);
    expect(event.data).toEqual({});
  });
});
