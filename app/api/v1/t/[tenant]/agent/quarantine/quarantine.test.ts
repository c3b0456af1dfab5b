import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundEmail } from '@/domain/entities';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant, eventsOf, eventually, fileRequest, requestRow } from '@/temporal/testing/fixtures';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { GET as list } from './route';
import { POST as decide } from './[id]/[action]/route';

const PASSWORD = 'mot-de-passe-de-test';
let orm: MikroORM;
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
const sessions: Record<string, string> = {};
let request: { id: string; reference: string };
let tenantId: string;

const run = (id: string, action: string, body: unknown, who = 'admin', slug = tenant.slug) =>
  call(decide, { tenant: slug, id, action }, { method: 'POST', body, cookie: sessions[`${slug}:${who}`] });
const listFor = async (who: string, slug = tenant.slug) => {
  const response = await call(list, { tenant: slug }, { cookie: sessions[`${slug}:${who}`] });
  expect(response.status).toBe(200);
  return ((await response.json()) as { emails: Array<{ id: string; reason: string; request: { reference: string } | null; auth: Record<string, string> }> }).emails;
};

/** A quarantined e-mail, as the mail intake files one. */
async function quarantined(fields: Partial<{ requestId: string; from: string | null; subject: string; body: string; reason: string }> = {}): Promise<string> {
  const id = randomUUID();
  await orm.em.fork().insert(InboundEmail, {
    id,
    tenant: tenantId,
    source: 'smtp',
    envelopeFrom: fields.from ?? 'inconnu@exemple.org',
    envelopeTo: [`${tenant.slug}@relais.localhost`],
    fromAddress: fields.from === null ? undefined : (fields.from ?? 'inconnu@exemple.org'),
    subject: fields.subject ?? 'Re: votre demande',
    body: fields.body ?? 'Je réponds à la place de ma voisine.',
    dedupeKey: `test:${id}`,
    outcome: 'quarantined',
    reason: fields.reason ?? 'Réponse d’une adresse qui n’est pas celle du demandeur',
    request: fields.requestId,
    auth: { spf: 'pass', dkim: 'none', dmarc: 'none' },
  });
  return id;
}

async function rowOf(id: string) {
  return orm.em.fork().findOneOrFail(InboundEmail, { id }, { populate: ['request', 'linkedRequest'] });
}

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  for (const t of [tenant, other]) {
    for (const who of ['agent', 'civil', 'admin']) {
      await setPassword(t.slug, t.mail(who), PASSWORD);
      sessions[`${t.slug}:${who}`] = await sessionFor(t.slug, t.mail(who), PASSWORD);
    }
  }
  const filed = await fileRequest(tenant.slug, { topic: 'question', subject: 'Stationnement', contact: { email: `citoyenne-${randomUUID().slice(0, 8)}@exemple.fr` } });
  request = { reference: filed.receipt.reference, id: (await eventually(() => requestRow(tenant.slug, filed.receipt.reference))).id };
  [{ id: tenantId }] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [tenant.slug]);
});

afterAll(() => closeAllORMs());

describe('quarantine list', () => {
  it('shows an e-mail about a request to its department and the administrators, an unrouted one to the administrators only, nothing across tenants', async () => {
    const linked = await quarantined({ requestId: request.id });
    const unrouted = await quarantined({ reason: 'Échec DMARC : l’expéditeur ne peut pas être vérifié' });
    const admin = await listFor('admin');
    expect(admin.map((e) => e.id)).toEqual(expect.arrayContaining([linked, unrouted]));
    expect(admin.find((e) => e.id === linked)).toMatchObject({ request: { reference: request.reference }, auth: { spf: 'pass', dkim: 'none', dmarc: 'none' } });
    const agent = (await listFor('agent')).map((e) => e.id);
    expect(agent).toContain(linked);
    expect(agent).not.toContain(unrouted);
    expect((await listFor('civil')).map((e) => e.id)).not.toContain(linked);
    const elsewhere = (await listFor('admin', other.slug)).map((e) => e.id);
    expect(elsewhere).not.toContain(linked);
    expect(elsewhere).not.toContain(unrouted);
  });
});

describe('quarantine decisions', () => {
  it('attaches a stranger’s reply to its request as a citizen message, once, audited', async () => {
    const id = await quarantined({ requestId: request.id, body: `Réponse ${randomUUID()}` });
    const response = await run(id, 'attach', {}, 'agent');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ decision: 'attached', reference: request.reference, alreadyDone: false });
    const row = await rowOf(id);
    const events = await eventually(async () => {
      const found = (await eventsOf(request.id)).filter((e) => e.type === 'citizen_message' && String(e.data.body).includes(row.body!));
      expect(found).toHaveLength(1);
      return found;
    });
    expect(events[0].data).toMatchObject({ via: 'email' });
    expect(row).toMatchObject({ outcome: 'released', reviewDecision: 'attached' });

    // The second click changes nothing; another decision is refused with the first one named.
    const again = await run(id, 'attach', {}, 'admin');
    expect(await again.json()).toMatchObject({ alreadyDone: true });
    const reject = await run(id, 'reject', {});
    expect(reject.status).toBe(409);
    expect((await reject.json()).error).toContain('rattaché à la demande');
    expect((await eventsOf(request.id)).filter((e) => e.type === 'citizen_message' && String(e.data.body).includes(row.body!))).toHaveLength(1);
    const audit = await query<{ outcome: string; agent_id: string }>(orm.em.fork(), `select outcome, agent_id from audit_log where action = 'mail.quarantine.attach' and target = ?`, [id]);
    expect(audit).toHaveLength(1);
    expect((await listFor('admin')).map((e) => e.id)).not.toContain(id);
  });

  it('files a quarantined e-mail as a new e-mail request through the intake, keeping the request it was about', async () => {
    const from = `voisine-${randomUUID().slice(0, 8)}@exemple.fr`;
    const id = await quarantined({ requestId: request.id, from, subject: 'Une autre question' });
    const response = await run(id, 'new-request', { topic: 'acte' }, 'agent');
    expect(response.status).toBe(200);
    const { reference } = await response.json();
    expect(reference).toMatch(/^\d{4}-\d+$/);
    const [created] = await query<{ channel: string; subject: string; citizen: { email: string } }>(orm.em.fork(), 'select channel, subject, citizen from request where tenant_id = ? and reference = ?', [tenantId, reference]);
    expect(created).toMatchObject({ channel: 'email', subject: 'Une autre question', citizen: { email: from } });
    const row = await rowOf(id);
    expect(row).toMatchObject({ outcome: 'released', reviewDecision: 'new_request' });
    expect(row.request?.reference).toBe(reference);
    expect(row.linkedRequest?.id).toBe(request.id);
    expect(await (await run(id, 'new-request', { topic: 'acte' }, 'agent')).json()).toMatchObject({ alreadyDone: true, reference });
  });

  it('rejects an e-mail, keeping it marked rejected', async () => {
    const id = await quarantined({ from: null, reason: 'Expéditeur invalide' });
    expect((await run(id, 'new-request', { topic: 'question' })).status).toBe(400);
    const response = await run(id, 'reject', { note: 'Publicité' });
    expect(response.status).toBe(200);
    expect(await rowOf(id)).toMatchObject({ outcome: 'quarantined', reviewDecision: 'rejected' });
    expect((await rowOf(id)).reviewedAt).toBeInstanceOf(Date);
    expect((await listFor('admin')).map((e) => e.id)).not.toContain(id);
  });

  it('refuses an agent of another department, an unrouted e-mail to a non-administrator, and another tenant', async () => {
    const linked = await quarantined({ requestId: request.id });
    const unrouted = await quarantined({});
    expect((await run(linked, 'attach', {}, 'civil')).status).toBe(403);
    expect((await run(unrouted, 'reject', {}, 'agent')).status).toBe(403);
    expect((await run(linked, 'reject', {}, 'admin', other.slug)).status).toBe(404);
    expect((await run(linked, 'attach', {}, 'admin', other.slug)).status).toBe(404);
    expect((await run(unrouted, 'attach', {})).status).toBe(400);
    expect((await run(linked, 'archive', {})).status).toBe(404);
    expect((await run('pas-un-uuid', 'reject', {})).status).toBe(404);
    expect(await rowOf(linked)).toMatchObject({ outcome: 'quarantined', reviewedAt: null });
  });

  it('answers 400 with French errors for any hostile body and leaves the e-mail waiting', async () => {
    const id = await quarantined({ requestId: request.id });
    const missing = await run(id, 'new-request', {});
    expect(missing.status).toBe(400);
    expect((await missing.json()).errors[0].message).toBe('Choisissez le thème de la nouvelle demande.');
    const unknown = await run(id, 'new-request', { topic: 'inconnu' });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0].message).toContain('thème');
    expect((await run(id, 'attach', '{ pas du json')).status).toBe(400);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('attach', 'new-request', 'reject'),
        fc.oneof(fc.jsonValue(), fc.record({ topic: fc.string() }), fc.record({ note: fc.string({ minLength: 2001, maxLength: 2100 }) }), fc.record({ topic: fc.constant('question'), extra: fc.jsonValue() })),
        async (action, body) => {
          fc.pre(!(action === 'reject' && body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0));
          fc.pre(!(action === 'attach' && body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0));
          const response = await run(id, action, body);
          expect([400], JSON.stringify(body)).toContain(response.status);
        },
      ),
      { numRuns: 60 },
    );
    expect(await rowOf(id)).toMatchObject({ outcome: 'quarantined', reviewedAt: null });
  });
});
