import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRequest, pdfText } from '@/activities/documents/test-support';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant, eventually, fileRequest } from '@/temporal/testing/fixtures';
import { closePreviewRenderer } from '@/app/console/_server/pdf';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { POST as action } from '@/app/api/v1/t/[tenant]/agent/requests/[reference]/actions/[action]/route';
import { GET as getRequest } from '@/app/api/v1/t/[tenant]/agent/requests/[reference]/route';
import { POST as personalData } from './[action]/route';

const PASSWORD = 'mot-de-passe-de-test';
let orm: MikroORM;
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
let admin: string;
let dpo: string;

const digits = () => String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
const tag = randomUUID().slice(0, 8);
// Person A: an e-mail address and a mobile number, typed differently each time (numbers are stored in E.164).
const emailA = `jeanne.${tag}@exemple.fr`;
// 06 12 …: an allocated metropolitan range (06 39 and 06 90–97 are overseas mobiles).
const phoneDigitsA = `12${digits().slice(2)}`;
const phoneA = `06 ${phoneDigitsA.replace(/(\d{2})(?=\d)/g, '$1 ')}`;
const e164A = `+336${phoneDigitsA}`;
const emailB = `paul.${tag}@exemple.fr`;
let openA: string;
let closedA: { id: string; tenantId: string; reference: string };
let requestB: { id: string; reference: string };
let elsewhereA: { id: string; reference: string };

const run = (name: string, body: unknown, cookie = admin, slug = tenant.slug) => call(personalData, { tenant: slug, action: name }, { method: 'POST', body, cookie });

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  for (const t of [tenant, other]) for (const who of ['agent', 'valideur', 'chef', 'admin', 'dpo']) await setPassword(t.slug, t.mail(who), PASSWORD);
  admin = await sessionFor(tenant.slug, tenant.mail('admin'), PASSWORD);
  dpo = await sessionFor(tenant.slug, tenant.mail('dpo'), PASSWORD);

  openA = (await fileRequest(tenant.slug, { topic: 'question', subject: `Stationnement ${tag}`, message: 'Où garer ma voiture ?', contact: { name: 'Jeanne Martin', email: emailA.toUpperCase(), phone: phoneA } })).receipt.reference;
  closedA = await insertRequest(orm, { tenant: tenant.slug, citizen: { name: 'Jeanne Martin', phone: e164A }, formData: { enfant: `Léa ${tag}`, age: 7 } });
  const em = orm.em.fork();
  await query(em, `update request set state = 'closed', closed_at = now() where id = ?`, [closedA.id]);
  await query(em, `insert into attachment (id, tenant_id, request_id, name, type, size, sha256, content) values (?, ?, ?, 'justificatif.pdf', 'application/pdf', 3, 'abc', '\\x010203')`, [randomUUID(), closedA.tenantId, closedA.id]);
  await query(em, `insert into notification (id, tenant_id, request_id, idempotency_key, channel, recipient, template, subject, status, created_at) values (?, ?, ?, ?, 'email', ?, 'answer', 'Réponse à votre demande', 'sent', now())`, [randomUUID(), closedA.tenantId, closedA.id, `test:${closedA.id}`, emailA]);
  await query(em, `insert into sms_message (id, tenant_id, request_id, idempotency_key, recipient, sender, text, data_coding, segment_count, status) values (?, ?, ?, ?, ?, 'VILLE', ?, 0, 1, 'delivered')`, [randomUUID(), closedA.tenantId, closedA.id, `sms:${closedA.id}`, e164A, `Votre réponse ${tag}`]);
  // A STOP outside any request: the person's number and text are held too.
  await query(em, `insert into sms_inbound (id, tenant_id, sender, recipient, text, dedupe_hash) values (?, ?, ?, '36180', 'STOP', ?)`, [randomUUID(), closedA.tenantId, e164A, randomUUID()]);
  await query(em, `insert into sms_opt_out (id, tenant_id, phone) values (?, ?, ?)`, [randomUUID(), closedA.tenantId, e164A]);

  requestB = await insertRequest(orm, { tenant: tenant.slug, citizen: { name: 'Paul Durand', email: emailB, phone: `+3378${digits().slice(2)}` } });
  elsewhereA = await insertRequest(orm, { tenant: other.slug, citizen: { name: 'Jeanne Martin', email: emailA, phone: e164A } });
});

afterAll(async () => {
  await closePreviewRenderer();
  await closeAllORMs();
});

async function auditEntries(actionName: string): Promise<Array<{ data: Record<string, unknown>; agent_id: string | null }>> {
  return query(orm.em.fork(), `select l.data, l.agent_id from audit_log l join tenant t on t.id = l.tenant_id where t.slug = ? and l.action = ? order by l.at`, [tenant.slug, actionName]);
}

describe('personal data search', () => {
  it('finds a person by e-mail whatever its case, within the tenant only', async () => {
    const response = await run('search', { email: emailA.replace('jeanne', 'JEANNE') });
    expect(response.status).toBe(200);
    const summary = await response.json();
    expect(summary.requests.map((r: { reference: string }) => r.reference)).toEqual([openA]);
    expect(summary.requests[0]).toMatchObject({ topic: 'Poser une question', state: 'received', stateLabel: 'Non lu', open: true });
    expect(summary.counts).toMatchObject({ requests: 1, openRequests: 1 });
  });

  it('finds a person by phone written in any form, and not the other tenant’s record of the same person', async () => {
    const variants = [phoneA, e164A, `0033 6 ${phoneDigitsA}`, `06.${phoneDigitsA.replace(/(\d{2})(?=\d)/g, '$1.')}`, `+33 (0)6${phoneDigitsA}`.replace('(0)', '')];
    for (const phone of variants) {
      const summary = await (await run('search', { phone })).json();
      expect(summary.requests.map((r: { reference: string }) => r.reference).sort(), phone).toEqual([openA, closedA.reference].sort());
      expect(summary.counts, phone).toMatchObject({ requests: 2, openRequests: 1, smsSent: 1, smsReceived: 1, attachments: 1 });
    }
    // References count per tenant: make sure the other tenant's request is found there, by its own administrator.
    const otherAdmin = await sessionFor(other.slug, other.mail('admin'), PASSWORD);
    const there = await (await run('search', { phone: e164A }, otherAdmin, other.slug)).json();
    expect(there.requests.map((r: { reference: string }) => r.reference)).toEqual([elsewhereA.reference]);
  });

  it('answers 400 with French field errors for malformed searches, and never a 5xx for any body', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{}, '/email', /Saisissez l’adresse électronique ou le numéro/],
      [{ email: 'pas-une-adresse' }, '/email', /Adresse électronique invalide/],
      [{ phone: 'douze' }, '/phone', /Numéro de téléphone invalide/],
      [{ phone: '12' }, '/phone', /Numéro de téléphone invalide/],
      [{ email: emailA, phone: phoneA }, '/email', /pas les deux/],
    ];
    for (const [body, path, message] of cases) {
      const response = await run('search', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const { errors } = await response.json();
      expect(errors[0].path).toBe(path);
      expect(errors[0].message).toMatch(message);
    }
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.record({ email: fc.string() }), fc.record({ phone: fc.string() })), async (body) => {
        const response = await run('search', body);
        expect([200, 400]).toContain(response.status);
      }),
      { numRuns: 60 },
    );
  });
});

describe('personal data export', () => {
  it('exports as JSON everything held about the person and nothing of anyone else', async () => {
    const response = await run('export-json', { phone: phoneA }, dpo);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="donnees-personnelles-\d{4}-\d{2}-\d{2}\.json"$/);
    const text = await response.text();
    const data = JSON.parse(text);
    expect(data.person).toEqual({ kind: 'phone', value: e164A });
    const closed = data.requests.find((r: { reference: string }) => r.reference === closedA.reference);
    expect(closed).toMatchObject({ state: 'closed', open: false, citizen: { name: 'Jeanne Martin', phone: e164A }, formData: { enfant: `Léa ${tag}`, age: 7 } });
    expect(closed.attachments).toEqual([expect.objectContaining({ name: 'justificatif.pdf', size: 3, contentBase64: Buffer.from([1, 2, 3]).toString('base64') })]);
    const open = data.requests.find((r: { reference: string }) => r.reference === openA);
    expect(open).toMatchObject({ subject: `Stationnement ${tag}`, message: 'Où garer ma voiture ?', citizen: { email: emailA.toUpperCase(), phone: e164A } });
    expect(data.notifications).toEqual(expect.arrayContaining([expect.objectContaining({ reference: closedA.reference, recipient: emailA, subject: 'Réponse à votre demande' })]));
    expect(data.smsSent).toEqual([expect.objectContaining({ reference: closedA.reference, text: `Votre réponse ${tag}` })]);
    expect(data.smsReceived).toEqual([expect.objectContaining({ reference: null, text: 'STOP' })]);
    expect(data.smsOptOutSince).not.toBeNull();
    // The e-mails to agents about the person's requests are not the person's data (and hold the agents' addresses).
    expect(data.notifications.length).toBeGreaterThan(0);
    expect(data.notifications.every((n: { recipient: string }) => n.recipient === e164A || n.recipient.toLowerCase() === emailA)).toBe(true);
    expect(text).not.toContain('@mairie.test');
    for (const foreign of [requestB.reference, emailB, 'Paul Durand', elsewhereA.reference, other.slug]) {
      expect(text).not.toContain(foreign);
    }
    expect(data.requests).toHaveLength(2);
  });

  it('exports a readable PDF through jsreport', async () => {
    const response = await run('export-pdf', { email: emailA });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    // The title may wrap after the hyphen of the test tenant's slug: read the text as one line.
    const text = (await pdfText(Buffer.from(await response.arrayBuffer()))).replace(/-\s*\n\s*/g, '-').replace(/\s+/g, ' ');
    expect(text).toContain(`Données personnelles détenues par Commune ${tenant.slug}`);
    expect(text).toContain(`Demande ${openA}`);
    expect(text).toContain('Jeanne Martin');
    expect(text).toContain('Où garer ma voiture ?');
    expect(text).not.toContain('Paul Durand');
  });

  it('audits searches, views and exports without the address or number in clear', async () => {
    expect((await run('view', { email: emailA }, dpo)).status).toBe(200);
    const actions = ['privacy.search', 'privacy.view', 'privacy.export.json', 'privacy.export.pdf'];
    for (const name of actions) {
      const entries = await auditEntries(name);
      expect(entries.length, name).toBeGreaterThan(0);
      for (const entry of entries) {
        const logged = JSON.stringify(entry.data);
        expect(logged).not.toContain(emailA.split('@')[0]);
        expect(logged.toLowerCase()).not.toContain(emailA.toLowerCase());
        expect(logged).not.toContain(phoneDigitsA);
        expect(entry.data.person).toMatchObject({ masked: expect.stringMatching(/•/), fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/) });
      }
    }
    // The same person searched twice carries the same fingerprint, so an auditor can follow them without their address.
    const searches = (await auditEntries('privacy.search')).map((e) => (e.data.person as { kind: string; fingerprint: string }));
    const byPhone = searches.filter((p) => p.kind === 'phone');
    expect(new Set(byPhone.map((p) => p.fingerprint)).size).toBe(1);
  });
});

describe('who may exercise citizens’ rights', () => {
  it('refuses agents, validators and heads (403 in French), serves administrators and the dpo, hides the tenant from others', async () => {
    for (const who of ['agent', 'valideur', 'chef']) {
      const cookie = await sessionFor(tenant.slug, tenant.mail(who), PASSWORD);
      for (const name of ['search', 'view', 'export-json', 'export-pdf', 'erase']) {
        const response = await run(name, { email: emailA, reason: 'Essai interdit', confirmOpen: true }, cookie);
        expect(response.status, `${who} ${name}`).toBe(403);
        expect((await response.json()).error).toBe('Accès réservé au délégué à la protection des données et aux administrateurs.');
      }
    }
    for (const cookie of [admin, dpo]) expect((await run('search', { email: emailA }, cookie)).status).toBe(200);
    const otherDpo = await sessionFor(other.slug, other.mail('dpo'), PASSWORD);
    expect((await run('search', { email: emailA }, otherDpo)).status).toBe(404);
    expect((await run('unknown', { email: emailA })).status).toBe(404);
  });
});

describe('erasure', () => {
  it('asks for a reason and a confirmation for an open request, then anonymises through the shared anonymisation and audits it', async () => {
    const noReason = await run('erase', { phone: phoneA, confirmOpen: true }, dpo);
    expect(noReason.status).toBe(400);
    expect((await noReason.json()).errors[0]).toMatchObject({ path: '/reason', message: expect.stringMatching(/^Indiquez le motif de l’effacement/) });

    const unconfirmed = await run('erase', { phone: phoneA, reason: 'Demande écrite de la personne du 3 décembre' }, dpo);
    expect(unconfirmed.status).toBe(409);
    expect((await unconfirmed.json()).error).toContain(`1 demande(s) en cours (${openA})`);
    expect((await (await run('search', { phone: phoneA })).json()).counts.requests).toBe(2);

    const erased = await run('erase', { phone: `+33 6 ${phoneDigitsA}`, reason: 'Demande écrite de la personne du 3 décembre', confirmOpen: true }, dpo);
    expect(erased.status).toBe(200);
    const result = await erased.json();
    expect(result.references.sort()).toEqual([openA, closedA.reference].sort());
    expect(result.openReferences).toEqual([openA]);
    expect(result.counts).toMatchObject({ requests: 2, attachments: 1, smsMessages: 1, messagesWithoutRequest: 1 });
    // The SMS answer of the closed request, and the acknowledgement and staff e-mails of the open one.
    expect(result.counts.notifications).toBeGreaterThanOrEqual(2);
    expect(result.message).toBe('Données effacées : 2 demande(s) anonymisée(s), 1 message(s) hors demande effacé(s).');

    // Nothing is found any more, by phone or e-mail; the other person and the other tenant keep their data.
    for (const body of [{ phone: phoneA }, { email: emailA }]) expect((await (await run('search', body)).json()).counts).toMatchObject({ requests: 0, smsReceived: 0, notifications: 0 });
    expect((await (await run('search', { email: emailB })).json()).requests.map((r: { reference: string }) => r.reference)).toEqual([requestB.reference]);
    const [kept] = await query<{ citizen: { email?: string } }>(orm.em.fork(), 'select citizen from request where id = ?', [elsewhereA.id]);
    expect(kept.citizen.email).toBe(emailA);

    const [erasure] = await auditEntries('privacy.erasure');
    expect(erasure.data).toMatchObject({ reason: 'Demande écrite de la personne du 3 décembre', counts: { requests: 2 }, openReferences: [openA] });
    expect(JSON.stringify(erasure.data)).not.toContain(phoneDigitsA);
    const anonymisations = await auditEntries('privacy.anonymise');
    expect(anonymisations.map((a) => a.data.reason)).toContain('Demande écrite de la personne du 3 décembre');

    // The open request stays workable: an agent opens it and sees it anonymised.
    const agent = await sessionFor(tenant.slug, tenant.mail('agent'), PASSWORD);
    const detail = await (await call(getRequest, { tenant: tenant.slug, reference: openA }, { cookie: agent })).json();
    expect(detail.request).toMatchObject({ subject: 'Demande anonymisée', citizen: {}, anonymisedAt: expect.any(String) });
    expect(JSON.stringify(detail)).not.toContain('Jeanne Martin');
    const opened = await call(action, { tenant: tenant.slug, reference: openA, action: 'open' }, { method: 'POST', cookie: agent });
    expect(opened.status).toBe(200);
    await eventually(async () => expect((await query<{ state: string }>(orm.em.fork(), 'select state from request where reference = ? and tenant_id = ?', [openA, closedA.tenantId]))[0].state).toBe('in_progress'));

    // A second erasure finds nothing and changes nothing.
    const again = await (await run('erase', { phone: phoneA, reason: 'Deuxième demande identique' }, dpo)).json();
    expect(again).toMatchObject({ references: [], counts: { requests: 0, messagesWithoutRequest: 0 }, message: 'Aucune donnée à effacer pour cette personne.' });
  });

  it('finds and clears the e-mails of a person that joined no request (quarantined), and only theirs', async () => {
    const email = `courriel.${tag}@exemple.fr`;
    const stranger = `autre.${tag}@exemple.fr`;
    const quarantined = (from: string) =>
      query<{ id: string }>(
        orm.em.fork(),
        `insert into inbound_email (id, tenant_id, source, envelope_from, message_id, from_address, subject, body, dedupe_key, outcome, reason, auth)
         values (?, ?, 'smtp', ?, ?, ?, 'Réponse', 'Je suis Paul Durand.', ?, 'quarantined', 'Expéditeur inconnu', ?) returning id`,
        [randomUUID(), closedA.tenantId, from, `${randomUUID()}@exemple.fr`, from, `test:${randomUUID()}`, JSON.stringify({ header: `smtp.mailfrom=${from}` })],
      );
    const [[mine], [theirs]] = [await quarantined(email.toUpperCase()), await quarantined(stranger)];
    expect((await (await run('search', { email })).json()).counts).toMatchObject({ requests: 0, emailsReceived: 1 });

    const erased = await (await run('erase', { email, reason: 'Demande écrite de la personne' }, dpo)).json();
    expect(erased.counts).toMatchObject({ requests: 0, messagesWithoutRequest: 1 });
    const rows = await query<{ id: string; from_address: string | null; body: string | null; auth: Record<string, unknown> }>(
      orm.em.fork(),
      'select id, from_address, body, auth from inbound_email where id = any(?::uuid[])',
      [`{${mine.id},${theirs.id}}`],
    );
    expect(rows.find((r) => r.id === mine.id)).toMatchObject({ from_address: null, body: null, auth: {} });
    expect(rows.find((r) => r.id === theirs.id)).toMatchObject({ from_address: stranger, body: 'Je suis Paul Durand.' });
    expect((await (await run('search', { email })).json()).counts.emailsReceived).toBe(0);
  });

  it('leaves an erased open request to be closed: answers, transfers and questions to the citizen are refused in French and change nothing', async () => {
    const email = `claire.${tag}@exemple.fr`;
    const { reference } = (await fileRequest(tenant.slug, { topic: 'question', subject: `Voirie ${tag}`, message: 'Un trou dans la chaussée.', contact: { name: 'Claire Petit', email } })).receipt;
    const agent = await sessionFor(tenant.slug, tenant.mail('agent'), PASSWORD);
    const act = (name: string, body: unknown = {}) => call(action, { tenant: tenant.slug, reference, action: name }, { method: 'POST', body, cookie: agent });
    expect((await act('open')).status).toBe(200);
    const stateOf = async () => (await query<{ state: string }>(orm.em.fork(), 'select r.state from request r join tenant t on t.id = r.tenant_id where t.slug = ? and r.reference = ?', [tenant.slug, reference]))[0].state;
    await eventually(async () => expect(await stateOf()).toBe('in_progress'));
    expect((await run('erase', { email, reason: 'Demande de la personne au guichet', confirmOpen: true }, dpo)).status).toBe(200);

    const [{ slug: elsewhere }] = await query<{ slug: string }>(
      orm.em.fork(),
      'select d.slug from department d join request r on r.tenant_id = d.tenant_id and r.department_id <> d.id join tenant t on t.id = r.tenant_id where t.slug = ? and r.reference = ? limit 1',
      [tenant.slug, reference],
    );
    const refused: Array<[string, unknown]> = [
      ['answer', { body: 'Votre demande est traitée.' }],
      ['save-draft', { body: 'Brouillon' }],
      ['submit', { body: 'Pour validation' }],
      ['transfer', { department: elsewhere }],
      ['ask-citizen', { question: 'Où exactement ?' }],
    ];
    for (const [name, body] of refused) {
      const response = await act(name, body);
      expect(response.status, name).toBe(409);
      expect((await response.json()).error, name).toBe('Les données personnelles de cette demande ont été effacées : elle ne peut plus recevoir de réponse ni être transférée. Clôturez-la.');
    }
    expect(await stateOf()).toBe('in_progress');
    const refusals = await query<{ action: string }>(orm.em.fork(), `select l.action from audit_log l join tenant t on t.id = l.tenant_id where t.slug = ? and l.target = ? and l.outcome = 'refused'`, [tenant.slug, reference]);
    expect(refusals.map((r) => r.action).sort()).toEqual(refused.map(([name]) => `request.${name}`).sort());

    // A note and the closure still work: the agent closes it.
    expect((await act('note', { text: 'Données effacées à la demande de la personne.' })).status).toBe(200);
    expect((await act('close')).status).toBe(200);
    await eventually(async () => expect(await stateOf()).toBe('closed'));
    // Projected in order, so by the closure any refused action would be in the timeline: none is.
    const [{ events }] = await query<{ events: number }>(
      orm.em.fork(),
      `select count(*)::int as events from request_event e join request r on r.id = e.request_id join tenant t on t.id = r.tenant_id
        where t.slug = ? and r.reference = ? and e.type in ('answered', 'draft_saved', 'submitted_for_validation', 'transferred', 'information_requested')`,
      [tenant.slug, reference],
    );
    expect(events).toBe(0);
  });
});
