import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { createMailTokens } from '@/domain/mail/addresses';
import { createMailIntake, InboundMailInProgressError, type MailIntakeDeps } from '@/domain/mail/intake';
import { submitInboundEmail } from '@/domain/intake/email';
import { requestWorkflowStarter } from '@/temporal/client';
import type { TenantMailSettings } from '@/domain/entities';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { parseEmail } from '@/integrations/mail/parse';
import { buildDsn } from '@/integrations/mail/testing/dsn';
import { actorFor, createTestTenant, eventsOf, eventually, testClient, waitUntilFiled } from '@/temporal/testing/fixtures';
import { citizenEmail, mailTo, waitForMail } from '@/temporal/testing/helpers';
import { askCitizenUpdate, closeRequestUpdate, REQUEST_TASK_QUEUE, requestWorkflowId } from '@/workflows/request/definitions';

const domain = () => env().INBOUND_MAIL_DOMAIN;
const tokens = () => createMailTokens(env().RELAIS_SECRET!, domain());
const smtp = () => nodemailer.createTransport({ host: '127.0.0.1', port: Number(env().RELAIS_INBOUND_SMTP_PORT), secure: false, ignoreTLS: true });

async function db() {
  return (await initORM(env().DATABASE_URL!)).em.fork();
}

/** Sends one message to the worker's listener; resolves once the listener queued it (250) and the intake filed it. */
async function send(message: Mail.Options) {
  const info = await smtp().sendMail({ subject: 'Demande', text: 'Bonjour, une question.', messageId: `<${randomUUID()}@exemple.fr>`, ...message });
  await waitUntilFiled(info.response);
  return info;
}

async function setMailSettings(slug: string, mail: TenantMailSettings): Promise<void> {
  await query(await db(), "update tenant set settings = jsonb_set(settings, '{mail}', ?::jsonb) where slug = ?", [JSON.stringify(mail), slug]);
}

interface InboundRow {
  id: string;
  outcome: string;
  reason: string | null;
  request_id: string | null;
  linked_request_id: string | null;
  attachments: Array<Record<string, unknown>>;
  auth: Record<string, unknown>;
}

async function inboundOf(messageId: string): Promise<InboundRow[]> {
  return query<InboundRow>(await db(), 'select id, outcome, reason, request_id, linked_request_id, attachments, auth from inbound_email where message_id = ?', [messageId.replace(/[<>]/g, '')]);
}

async function requestsOf(slug: string, email: string) {
  return query<{ id: string; reference: string; subject: string; body: string; channel: string; topic: string; state: string; citizen: Record<string, string> }>(
    await db(),
    `select r.id, r.reference, r.subject, r.body, r.channel, tp.slug as topic, r.state, r.citizen from request r
       join tenant t on t.id = r.tenant_id join topic tp on tp.id = r.topic_id
      where t.slug = ? and r.citizen->>'email' = ? order by r.created_at`,
    [slug, email],
  );
}

/** Files a request by e-mail and waits for its acknowledgement. */
async function emailRequest(slug: string, from: string, extra: Mail.Options = {}) {
  const messageId = `<${randomUUID()}@exemple.fr>`;
  await send({ from, to: `${slug}@${domain()}`, messageId, ...extra });
  const [row] = await inboundOf(messageId);
  expect(row).toMatchObject({ outcome: 'request' });
  const [request] = (await requestsOf(slug, from)).filter((r) => r.id === row.request_id);
  await waitForMail(from, (m) => m.subject?.includes(request.reference) ?? false);
  return { messageId, request, inbound: row };
}

describe('inbound e-mail through the SMTP listener', () => {
  it('files a new e-mail as a request and acknowledges it with reference, due date and tracking link', async () => {
    const { slug } = await createTestTenant();
    const from = citizenEmail('courriel');
    const messageId = `<${randomUUID()}@exemple.fr>`;
    await send({ from: `Jeanne Martin <${from}>`, to: `${slug}@${domain()}`, subject: 'Horaires de la mairie', text: 'Bonjour,\nquels sont vos horaires ?\nJeanne', messageId });
    const [row] = await inboundOf(messageId);
    expect(row).toMatchObject({ outcome: 'request' });
    expect(row.auth).toMatchObject({ dmarc: expect.any(String), spf: expect.any(String) });
    const [request] = await requestsOf(slug, from);
    expect(request).toMatchObject({ id: row.request_id, subject: 'Horaires de la mairie', channel: 'email', topic: 'question', citizen: { email: from, name: 'Jeanne Martin' } });
    expect(request.body).toContain('quels sont vos horaires ?');
    const [ack] = await waitForMail(from, (m) => m.subject?.includes('a bien été reçue') ?? false);
    expect(ack.text).toContain(`Référence : ${request.reference}`);
    expect(ack.text).toMatch(/Réponse au plus tard le : \d{2}\/\d{2}\/\d{4}/);
    expect(ack.text).toMatch(new RegExp(`/t/${slug}/suivi/${request.reference}\\?code=\\w+`));
  });

  it('routes by topic address, declared address and keyword rule', async () => {
    const { slug } = await createTestTenant();
    await setMailSettings(slug, { addresses: [`Mairie@${slug}.fr`], keywordRules: [{ keywords: ['acte de naissance'], topic: 'acte' }] });
    const byTopic = citizenEmail('topic');
    await send({ from: byTopic, to: `acte.${slug}@${domain()}` });
    const declared = citizenEmail('declared');
    await send({ from: declared, to: `mairie@${slug}.fr`, subject: 'Question', text: 'Bonjour.' });
    const keyword = citizenEmail('keyword');
    await send({ from: keyword, to: `${slug}@${domain()}`, subject: 'Demande', text: "Je voudrais un ACTE DE NAISSANCE s'il vous plaît." });
    expect((await requestsOf(slug, byTopic))[0].topic).toBe('acte');
    expect((await requestsOf(slug, declared))[0].topic).toBe('question');
    expect((await requestsOf(slug, keyword))[0].topic).toBe('acte');
  });

  it('refuses unknown recipients at RCPT (550) and oversize messages at DATA (552)', async () => {
    const { slug } = await createTestTenant();
    for (const to of [`inconnue-${randomUUID().slice(0, 8)}@${domain()}`, `nulle-part.${slug}@${domain()}`, `quelqu-un@${slug}.fr`]) {
      await expect(send({ from: citizenEmail(), to })).rejects.toMatchObject({ responseCode: 550 });
    }
    const forged = tokens().replyAddress(slug, '2026-000001').replace(/\.[0-9a-f]{16}@/, '.0123456789abcdef@');
    await expect(send({ from: citizenEmail(), to: forged })).rejects.toMatchObject({ responseCode: 550 });
    const from = citizenEmail('gros');
    const big = 'x'.repeat(env().INBOUND_MAIL_MAX_BYTES + 1024);
    await expect(send({ from, to: `${slug}@${domain()}`, text: big })).rejects.toMatchObject({ responseCode: 552 });
    expect(await requestsOf(slug, from)).toHaveLength(0);
  });

  it('threads replies by token, by In-Reply-To and by subject reference into the running workflow', async () => {
    const { slug, mail } = await createTestTenant();
    const from = citizenEmail('fil');
    const { messageId, request } = await emailRequest(slug, from);
    const handle = (await testClient()).workflow.getHandle(requestWorkflowId(slug, request.reference));
    await handle.executeUpdate(askCitizenUpdate, { args: [{ actor: await actorFor(slug, mail('agent')), question: 'Quelle adresse ?' }] });

    await send({ from, to: tokens().replyAddress(slug, request.reference), subject: `Re: ${request.subject}`, text: "12 rue des Lilas.\n\nLe 5 déc. 2026, Mairie a écrit :\n> Quelle adresse ?" });
    await send({ from, to: `${slug}@${domain()}`, inReplyTo: messageId, references: [messageId], subject: 'Complément', text: 'Deuxième précision.' });
    await send({ from, to: `${slug}@${domain()}`, subject: `Re: [Réf. ${request.reference}] Demande`, text: 'Troisième précision.' });

    const events = await eventually(async () => {
      const all = await eventsOf(request.id);
      expect(all.filter((e) => e.type === 'citizen_replied' || e.type === 'citizen_message')).toHaveLength(3);
      return all;
    });
    const replied = events.find((e) => e.type === 'citizen_replied')!;
    expect(replied.data).toMatchObject({ body: '12 rue des Lilas.', via: 'email' });
    expect(events.filter((e) => e.type === 'citizen_message').map((e) => e.data.body)).toEqual(['Deuxième précision.', 'Troisième précision.']);
    expect(await requestsOf(slug, from)).toHaveLength(1);
  });

  it("keeps a reply's attachments on the request and names them in the reply", async () => {
    const { slug } = await createTestTenant();
    const from = citizenEmail('piece');
    const { request } = await emailRequest(slug, from);
    const pdf = Buffer.from('%PDF-1.4\n%test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    await send({
      from,
      to: tokens().replyAddress(slug, request.reference),
      subject: 'Re: Demande',
      text: 'Voici le justificatif.',
      attachments: [{ filename: 'facture.pdf', content: pdf, contentType: 'application/pdf' }],
    });
    const message = await eventually(async () => {
      const event = (await eventsOf(request.id)).find((e) => e.type === 'citizen_message');
      expect(event).toBeDefined();
      return event!;
    });
    expect(message.data.body).toBe('Voici le justificatif.\n\nPièces jointes : facture.pdf.');
    const files = await query<{ name: string; origin: string }>(await db(), 'select name, origin from attachment where request_id = ?', [request.id]);
    expect(files).toEqual([{ name: 'facture.pdf', origin: 'citizen' }]);
  });

  it('marks the acknowledgement bounced when a delivery report (RFC 3464) comes back to its VERP address, once however often it comes', async () => {
    const { slug } = await createTestTenant();
    const from = citizenEmail('rebond');
    const { request } = await emailRequest(slug, from);
    // The sink may hold the e-mail a moment before the activity records it sent.
    const ack = await eventually(async () => {
      const [row] = await query<{ id: string; message_id: string }>(
        await db(),
        "select id, message_id from notification where request_id = ? and template = 'acknowledgement' and status = 'sent'",
        [request.id],
      );
      expect(row).toBeDefined();
      return row;
    });
    const bounceTo = tokens().bounceAddress(ack.id);
    const dsn = buildDsn({
      to: bounceTo,
      originalMessageId: ack.message_id,
      recipients: [{ recipient: from, action: 'failed', status: '5.1.1', diagnostic: `550 5.1.1 <${from}>: Recipient address rejected: User unknown in virtual mailbox table` }],
    });
    // Bounces come with the null reverse-path, twice here: a retrying server must not count twice.
    for (let i = 0; i < 2; i += 1) await waitUntilFiled((await smtp().sendMail({ envelope: { from: '', to: [bounceTo] }, raw: dsn })).response);

    const [bounced] = await query<{ status: string; bounce_status: string; error: string; bounced_at: string | null }>(
      await db(),
      'select status, bounce_status, error, bounced_at from notification where id = ?',
      [ack.id],
    );
    expect(bounced).toMatchObject({ status: 'bounced', bounce_status: '5.1.1', bounced_at: expect.anything() });
    expect(bounced.error).toContain('Recipient address rejected');
    const reports = await query<{ outcome: string; notification_id: string }>(await db(), 'select outcome, notification_id from inbound_email where notification_id = ?', [ack.id]);
    expect(reports.map((r) => r.outcome)).toEqual(['bounce']);
    const events = (await eventsOf(request.id)).filter((e) => e.type === 'notification_bounced');
    expect(events).toHaveLength(1);
    // A bounce is never acknowledged and files nothing.
    expect(await requestsOf(slug, from)).toHaveLength(1);
  });

  it('quarantines a reply from another address than the citizen', async () => {
    const { slug } = await createTestTenant();
    const from = citizenEmail('demandeur');
    const { request } = await emailRequest(slug, from);
    const stranger = citizenEmail('inconnu');
    const messageId = `<${randomUUID()}@ailleurs.fr>`;
    const pdf = Buffer.from('%PDF-1.4\n%test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    await send({
      from: stranger,
      to: tokens().replyAddress(slug, request.reference),
      subject: 'Re: Demande',
      text: 'Je réponds à sa place.',
      messageId,
      attachments: [{ filename: 'piece.pdf', content: pdf, contentType: 'application/pdf' }],
    });
    const [row] = await inboundOf(messageId);
    expect(row.outcome).toBe('quarantined');
    // Kept aside, not on the request, for the agent who reviews the quarantine.
    expect(row.attachments).toEqual([expect.objectContaining({ name: 'piece.pdf', attachmentId: expect.any(String) })]);
    expect(await query(await db(), 'select 1 from attachment where request_id = ?', [request.id])).toHaveLength(0);
    expect(row.reason).toContain(stranger);
    expect(row.reason).toContain(request.reference);
    expect((await eventsOf(request.id)).some((e) => e.type === 'citizen_message')).toBe(false);
  });

  it('ignores auto-replies: nothing filed, no acknowledgement', async () => {
    const { slug } = await createTestTenant();
    const from = citizenEmail('absent');
    const messageId = `<${randomUUID()}@exemple.fr>`;
    await send({ from, to: `${slug}@${domain()}`, subject: 'Absence du bureau', text: 'Je suis absent.', messageId, headers: { 'Auto-Submitted': 'auto-replied' } });
    const [row] = await inboundOf(messageId);
    expect(row).toMatchObject({ outcome: 'ignored', request_id: null });
    expect(row.reason).toContain('Auto-Submitted');
    expect(await requestsOf(slug, from)).toHaveLength(0);
    expect(await mailTo(from)).toHaveLength(0);
  });

  it('files a message delivered twice only once', async () => {
    const { slug } = await createTestTenant();
    const from = citizenEmail('double');
    const messageId = `<${randomUUID()}@exemple.fr>`;
    await send({ from, to: `${slug}@${domain()}`, messageId });
    await send({ from, to: `${slug}@${domain()}`, messageId });
    expect(await inboundOf(messageId)).toHaveLength(1);
    expect(await requestsOf(slug, from)).toHaveLength(1);
  });

  it('stops acknowledging a sender past the hourly limit, yet files every request', async () => {
    const { slug } = await createTestTenant();
    await setMailSettings(slug, { acknowledgementsPerHour: 2 });
    const from = citizenEmail('rafale');
    for (let i = 0; i < 3; i++) await send({ from, to: `${slug}@${domain()}`, subject: `Demande ${i + 1}` });
    const requests = await requestsOf(slug, from);
    expect(requests).toHaveLength(3);
    // The department's notice of the third request is sent beside the acknowledgement it would have had.
    const notices = await eventually(async () => {
      const rows = await query<{ request_id: string; template: string }>(
        await db(),
        'select request_id, template from notification where request_id in (?, ?, ?)',
        requests.map((r) => r.id),
      );
      expect(rows.filter((r) => r.request_id === requests[2].id && r.template === 'new_request').length).toBeGreaterThan(0);
      expect(rows.filter((r) => r.template === 'acknowledgement')).toHaveLength(2);
      return rows;
    });
    expect(notices.filter((r) => r.template === 'acknowledgement').map((r) => r.request_id).sort()).toEqual([requests[0].id, requests[1].id].sort());
  });

  it('opens a new request linked to a closed one when its citizen replies', async () => {
    const { slug, mail } = await createTestTenant();
    const from = citizenEmail('suite');
    const { request } = await emailRequest(slug, from, { subject: 'Éclairage public' });
    const handle = (await testClient()).workflow.getHandle(requestWorkflowId(slug, request.reference));
    await handle.executeUpdate(closeRequestUpdate, { args: [{ actor: await actorFor(slug, mail('agent')) }] });
    await eventually(async () => expect((await requestsOf(slug, from))[0].state).toBe('closed'));

    const messageId = `<${randomUUID()}@exemple.fr>`;
    await send({ from, to: tokens().replyAddress(slug, request.reference), subject: 'Re: Éclairage public', text: 'La panne continue.', messageId });
    const [row] = await inboundOf(messageId);
    expect(row).toMatchObject({ outcome: 'request', linked_request_id: request.id });
    const follow = (await requestsOf(slug, from)).find((r) => r.id === row.request_id)!;
    expect(follow.subject).toContain(`Suite de la demande ${request.reference}`);
    expect(follow.body).toContain(`fait suite à la demande ${request.reference}`);
    const [ack] = await waitForMail(from, (m) => m.subject?.includes(follow.reference) ?? false);
    // The citizen is told in the acknowledgement that the closed request was not reopened.
    expect(ack.text).toContain(`Votre demande ${request.reference} étant close, votre message a été enregistré comme une nouvelle demande`);
    expect((await eventsOf(request.id)).find((e) => e.type === 'linked_request')).toMatchObject({ public: true, data: { reference: follow.reference } });
    expect((await eventsOf(follow.id)).find((e) => e.type === 'linked_request')).toMatchObject({ public: true, data: { reference: request.reference } });
  });

  it('opens a linked request when the workflow ended before the projection says so', async () => {
    const { slug } = await createTestTenant();
    const from = citizenEmail('fini');
    const { request } = await emailRequest(slug, from);
    await (await testClient()).workflow.getHandle(requestWorkflowId(slug, request.reference)).terminate('test');
    const messageId = `<${randomUUID()}@exemple.fr>`;
    await send({ from, to: tokens().replyAddress(slug, request.reference), subject: 'Re: Demande', text: 'Encore moi.', messageId });
    const [row] = await inboundOf(messageId);
    expect(row).toMatchObject({ outcome: 'request', linked_request_id: request.id });
  });

  it('acknowledges by SMS too when the tenant asks and the message gives a mobile number', async () => {
    const { slug } = await createTestTenant();
    await setMailSettings(slug, { acknowledgeBySms: true });
    const from = citizenEmail('sms');
    const { request } = await emailRequest(slug, from, { text: 'Bonjour,\nmerci de me rappeler au 06 12 34 56 78.' });
    const [row] = await requestsOf(slug, from);
    expect(row.citizen.phone).toBe('+33612345678');
    await eventually(async () => {
      const sms = await query<{ template: string }>(await db(), 'select template from sms_message where request_id = ?', [request.id]);
      expect(sms.map((s) => s.template)).toContain('acknowledgement');
    });
  });

  it('keeps accepted attachments on the request and lists refused ones on the case', async () => {
    const { slug } = await createTestTenant();
    const from = citizenEmail('pj');
    const pdf = Buffer.from('%PDF-1.4\n%test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const { request, inbound } = await emailRequest(slug, from, {
      attachments: [
        { filename: 'justificatif.pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'programme.exe', content: Buffer.from('MZ\x90\x00binary'), contentType: 'application/octet-stream' },
      ],
    });
    const files = await query<{ name: string; origin: string }>(await db(), 'select name, origin from attachment where request_id = ?', [request.id]);
    expect(files).toEqual([{ name: 'justificatif.pdf', origin: 'citizen' }]);
    expect(inbound.attachments).toEqual([
      expect.objectContaining({ name: 'justificatif.pdf', attachmentId: expect.any(String) }),
      expect.objectContaining({ name: 'programme.exe', refusedReason: expect.any(String) }),
    ]);
    expect((await eventsOf(request.id)).find((e) => e.type === 'attachments_refused')?.data.body).toContain('programme.exe');
  });
});

describe('mail intake decisions', () => {
  async function intake(submitRequest?: MailIntakeDeps['submitRequest'], inProgressMs?: number) {
    const orm = await initORM(env().DATABASE_URL!);
    const refuse = async () => {
      throw new Error('must not be called');
    };
    return createMailIntake({ orm, tokens: tokens(), submitRequest: submitRequest ?? refuse, signalReply: refuse, inProgressMs });
  }

  async function realSubmit(request: Parameters<MailIntakeDeps['submitRequest']>[0]) {
    const orm = await initORM(env().DATABASE_URL!);
    const startWorkflow = requestWorkflowStarter({ address: env().TEMPORAL_ADDRESS!, namespace: env().TEMPORAL_NAMESPACE }, REQUEST_TASK_QUEUE);
    return submitInboundEmail({ orm, startWorkflow, publicUrl: env().PUBLIC_URL }, request);
  }

  it('asks for a retry while a delivery is being handled, and takes over one that died half-way', async () => {
    const { slug } = await createTestTenant();
    const from = citizenEmail('reprise');
    const envelope = { source: 'smtp' as const, mailFrom: from, rcptTo: [`${slug}@${domain()}`] };
    const parsed = await parseEmail(Buffer.from(`From: ${from}\r\nTo: ${slug}@${domain()}\r\nMessage-ID: <${randomUUID()}@x>\r\nSubject: Reprise\r\n\r\nTexte.\r\n`));
    const dying = await intake(async () => {
      throw new Error('process killed');
    });
    await expect(dying.receive(parsed, envelope)).rejects.toThrow('process killed');
    await expect((await intake(realSubmit)).receive(parsed, envelope)).rejects.toBeInstanceOf(InboundMailInProgressError);
    const outcome = await (await intake(realSubmit, 0)).receive(parsed, envelope);
    expect(outcome).toMatchObject({ kind: 'request', acknowledged: true });
    expect(await (await intake(realSubmit, 0)).receive(parsed, envelope)).toMatchObject({ kind: 'duplicate', inboundId: outcome.inboundId });
    expect(await requestsOf(slug, from)).toHaveLength(1);
  });

  it('quarantines a DMARC failure and a message without a usable From', async () => {
    const { slug } = await createTestTenant();
    const receive = (await intake()).receive;
    const envelope = { source: 'smtp' as const, mailFrom: 'x@exemple.fr', rcptTo: [`${slug}@${domain()}`] };
    const spoofed = await parseEmail(Buffer.from(`From: maire@ville.fr\r\nTo: ${slug}@${domain()}\r\nMessage-ID: <${randomUUID()}@x>\r\nSubject: Urgent\r\n\r\nVirement.\r\n`));
    spoofed.authentication = { spf: 'fail', dkim: 'none', dmarc: 'fail' };
    expect(await receive(spoofed, envelope)).toMatchObject({ kind: 'quarantined', reason: expect.stringContaining('DMARC') });
    const anonymous = await parseEmail(Buffer.from(`From: pas une adresse\r\nTo: ${slug}@${domain()}\r\nSubject: ?\r\n\r\nTexte.\r\n`));
    const outcome = await receive(anonymous, envelope);
    expect(outcome).toMatchObject({ kind: 'quarantined', reason: expect.stringContaining('expéditeur') });
    // Without Message-ID the content's hash is the key: the same bytes again are a duplicate.
    expect(await receive(anonymous, envelope)).toMatchObject({ kind: 'duplicate', inboundId: outcome.inboundId });
  });
});
