import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { ImapFlow } from 'imapflow';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/dev/ports';
import { ImapMailboxState } from '@/domain/entities';
import { env } from '@/domain/env';
import { imapConnectionOf, type ImapSettings } from '@/domain/mail/imap-settings';
import type { InboundMailOutcome, MailEnvelope, ReceiveEmail } from '@/domain/mail/inbound-message';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { importTenant } from '@/domain/tenant-config/import';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { ImapPoller, returnPath, type ImapPollerOptions, type ImapRound } from './imap-poller';
import { startImapPollers } from './imap-pollers';
import { startDovecot, type DovecotServer } from './testing/dovecot';

let dovecot: DovecotServer;
let client: ImapFlow;
let tenantId: string;
const running: Array<{ stop(): Promise<void> }> = [];
const orm = () => initORM(env().DATABASE_URL!);

beforeAll(async () => {
  dovecot = await startDovecot();
  client = await dovecot.connect();
  const tenant = await createTestTenant();
  [{ id: tenantId }] = await query<{ id: string }>((await orm()).em.fork(), 'select id from tenant where slug = ?', [tenant.slug]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await client?.logout();
  await dovecot?.stop();
  await closeAllORMs();
});

/** The intake's stand-in: records what it was handed, and fails when told to. */
function recorder(failFor: (messageId: string, calls: number) => boolean = () => false) {
  const received: Array<{ messageId: string; envelope: MailEnvelope; size: number }> = [];
  const calls = new Map<string, number>();
  const receive: ReceiveEmail = async (raw, envelope) => {
    const messageId = /^message-id:\s*<([^@>]+)@/im.exec(raw.toString('utf8'))?.[1] ?? '';
    const count = (calls.get(messageId) ?? 0) + 1;
    calls.set(messageId, count);
    if (failFor(messageId, count)) throw new Error('base de données indisponible');
    received.push({ messageId, envelope, size: raw.length });
    return { kind: 'request', inboundId: randomUUID(), requestId: randomUUID(), reference: '2026-000001', acknowledged: true } satisfies InboundMailOutcome;
  };
  return { receive, received, calls, ids: () => received.map((r) => r.messageId) };
}

function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => {
    if (process.env.IMAP_TEST_LOG) process.stdout.write(line);
    lines.push(JSON.parse(line));
  } });
  return { logger, lines, messages: () => lines.map((l) => String(l.msg)) };
}

function citizenMail(id: string, returnPathHeader = `<citoyen-${id}@exemple.fr>`): string {
  return [
    `Return-Path: ${returnPathHeader}`,
    `From: Citoyen <citoyen-${id}@exemple.fr>`,
    `To: ${dovecot.address}`,
    `Subject: Demande ${id}`,
    `Message-ID: <${id}@exemple.fr>`,
    'Date: Sat, 05 Dec 2026 08:00:00 +0100',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Bonjour, ceci est la demande ${id}.`,
    '',
  ].join('\r\n');
}

async function append(mailbox: string, ...ids: string[]): Promise<void> {
  for (const id of ids) await client.append(mailbox, citizenMail(id));
}

async function messagesIn(mailbox: string): Promise<number> {
  const status = await client.status(mailbox, { messages: true });
  return status ? (status.messages ?? 0) : -1;
}

function settingsFor(mailbox: string, overrides: Partial<ImapSettings> = {}) {
  return imapConnectionOf(tenantId, { url: dovecot.url, user: dovecot.user, password: dovecot.password, mailbox, importedFolder: `${mailbox}-importés`, ...overrides });
}

async function startPoller(mailbox: string, receive: ReceiveEmail, options: Partial<ImapPollerOptions> = {}) {
  const poller = new ImapPoller({
    orm: await orm(),
    tenantId,
    settings: settingsFor(mailbox),
    receive,
    logger: memoryLogger().logger,
    retryDelayMs: 50,
    maxRetryDelayMs: 500,
    idleDelayMs: 200,
    ...options,
  });
  running.push(poller);
  poller.start();
  return poller;
}

async function stateOf(mailbox: string) {
  const state = await (await orm()).em.fork().findOne(ImapMailboxState, { tenant: tenantId, mailbox });
  return state && { uidValidity: state.uidValidity, lastUid: state.lastUid };
}

async function until(condition: () => boolean | Promise<boolean>, description: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const tag = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

async function newMailbox(label: string): Promise<string> {
  const name = tag(label);
  await client.mailboxCreate(name);
  return name;
}

describe('IMAP poller against Dovecot', () => {
  it('hands each message of INBOX to the intake once, with its envelope, and moves it to Relais/Importés', async () => {
    const ids = [tag('a'), tag('b'), tag('c')];
    await append('INBOX', ...ids.slice(0, 2));
    await client.append('INBOX', citizenMail(ids[2], '<>'));
    const intake = recorder();
    const poller = new ImapPoller({
      orm: await orm(),
      tenantId,
      settings: imapConnectionOf(tenantId, { url: dovecot.url, user: dovecot.user, password: dovecot.password }),
      receive: intake.receive,
      logger: memoryLogger().logger,
    });
    running.push(poller);
    poller.start();
    await until(() => intake.received.length === 3, 'three messages');
    expect(intake.ids()).toEqual(ids);
    expect(intake.received[0].envelope).toEqual({ source: 'imap', mailFrom: `citoyen-${ids[0]}@exemple.fr`, rcptTo: [dovecot.address], tenantId });
    expect(intake.received[2].envelope.mailFrom).toBeNull();
    await until(async () => (await messagesIn('INBOX')) === 0, 'INBOX emptied');
    const imported = await client.mailboxOpen(['Relais', 'Importés'], { readOnly: true });
    expect(imported.exists).toBe(3);
    const state = await stateOf('INBOX');
    expect(state).toMatchObject({ lastUid: '3' });
    const status = await client.status('INBOX', { uidValidity: true });
    expect(state!.uidValidity).toBe(status && status.uidValidity!.toString());
  });

  it('resumes after a restart: nothing handed twice, nothing missed (messages appended while stopped)', async () => {
    const mailbox = await newMailbox('redemarrage');
    const intake = recorder();
    const ids = [tag('r1'), tag('r2'), tag('r3'), tag('r4'), tag('r5')];
    await append(mailbox, ids[0], ids[1]);
    const first = await startPoller(mailbox, intake.receive);
    await until(() => intake.received.length === 2, 'the first two');
    await until(async () => (await stateOf(mailbox))?.lastUid === '2', 'lastUid 2');
    await first.stop();
    await append(mailbox, ids[2], ids[3]);
    await startPoller(mailbox, intake.receive);
    await until(() => intake.received.length >= 4, 'the two appended while stopped');
    // In UID order: had anything been handed twice it would have come before this last one.
    await append(mailbox, ids[4]);
    await until(() => intake.ids().includes(ids[4]), 'the last one');
    expect(intake.ids()).toEqual(ids);
    await until(async () => (await messagesIn(`${mailbox}-importés`)) === 5, 'all five moved');
    expect(await messagesIn(mailbox)).toBe(0);
  });

  it('hears a new message through IDLE, with no poll interval to wait for', async () => {
    const mailbox = await newMailbox('idle');
    const intake = recorder();
    const rounds: ImapRound[] = [];
    const poller = await startPoller(mailbox, intake.receive, { pollIntervalMs: 3_600_000, idleResyncMs: 3_600_000 });
    poller.on('round', (round: ImapRound) => rounds.push(round));
    const [{ idle }] = (await once(poller, 'connected')) as [{ idle: boolean }];
    expect(idle).toBe(true);
    await until(() => rounds.length >= 1, 'the first read');
    const id = tag('idle');
    await append(mailbox, id);
    await until(() => intake.ids().includes(id), 'the message appended while connected', 10_000);
  });

  it('reads the whole mailbox again when its UIDVALIDITY changes', async () => {
    const mailbox = await newMailbox('validite');
    const intake = recorder();
    const before = [tag('v1'), tag('v2')];
    await append(mailbox, ...before);
    const first = await startPoller(mailbox, intake.receive);
    await until(() => intake.received.length === 2, 'the first two');
    await until(async () => (await stateOf(mailbox))?.lastUid === '2', 'lastUid 2');
    await first.stop();
    const old = (await stateOf(mailbox))!.uidValidity;
    // Recreated: the new message gets UID 1 again, below the stored lastUid, under a new UIDVALIDITY.
    await client.mailboxDelete(mailbox);
    await client.mailboxCreate(mailbox);
    const after = tag('v3');
    await append(mailbox, after);
    const { logger, messages } = memoryLogger();
    await startPoller(mailbox, intake.receive, { logger });
    await until(() => intake.ids().includes(after), 'the message under the new UIDVALIDITY');
    expect(intake.ids()).toEqual([...before, after]);
    await until(async () => (await stateOf(mailbox))?.lastUid === '1', 'lastUid 1 under the new UIDVALIDITY');
    expect((await stateOf(mailbox))!.uidValidity).not.toBe(old);
    expect(messages()).toContain('UIDVALIDITY changed: reading the whole mailbox again');
  });

  it('follows a UIDVALIDITY changed under a live connection (doveadm): reconnects, starts over, goes on', async () => {
    const mailbox = await newMailbox('doveadm');
    const intake = recorder();
    const { logger, messages } = memoryLogger();
    const first = tag('d1');
    await append(mailbox, first);
    const poller = await startPoller(mailbox, intake.receive, { logger });
    await until(async () => (await stateOf(mailbox))?.lastUid === '1', 'the first message recorded');
    // An idling session hears of the change at once; a busy one at its next command.
    await until(() => poller.idling, 'the poller idling');
    const old = (await stateOf(mailbox))!.uidValidity;
    const changed = String(Number(old) + 1000);
    // Dovecot ends the sessions that have the mailbox selected ("please relogin").
    await dovecot.doveadm('mailbox', 'update', '--uid-validity', changed, '-u', dovecot.user, mailbox);
    const second = tag('d2');
    await append(mailbox, second);
    await until(() => intake.ids().includes(second), 'the next message');
    expect(intake.ids()).toEqual([first, second]);
    expect(messages()).toContain('UIDVALIDITY changed: reading the whole mailbox again');
    await until(async () => (await stateOf(mailbox))?.uidValidity === changed, 'the new UIDVALIDITY recorded');
  });

  it('lets one worker at a time read a mailbox: two pollers on it hand each message once, in order', async () => {
    const mailbox = await newMailbox('deux');
    const intake = recorder();
    const ids = Array.from({ length: 9 }, (_, i) => tag(`w${i}`));
    await append(mailbox, ...ids.slice(0, 6));
    await startPoller(mailbox, intake.receive);
    await startPoller(mailbox, intake.receive);
    await until(() => intake.received.length >= 6, 'the first six');
    await append(mailbox, ...ids.slice(6));
    await until(() => intake.received.length >= 9, 'all nine');
    await until(async () => (await messagesIn(`${mailbox}-importés`)) === 9, 'all nine moved');
    expect(intake.ids()).toEqual(ids);
  });

  it('leaves a message above the size limit in the mailbox, with a warning, and goes on', async () => {
    const mailbox = await newMailbox('taille');
    const intake = recorder();
    const { logger, lines } = memoryLogger();
    const [small, large, after] = [tag('petit'), tag('gros'), tag('apres')];
    await append(mailbox, small);
    await client.append(mailbox, citizenMail(large).replace('Bonjour', 'Bonjour '.repeat(500)));
    await append(mailbox, after);
    await startPoller(mailbox, intake.receive, { logger, maxMessageBytes: 2_000 });
    await until(() => intake.ids().includes(after), 'the message after the large one');
    expect(intake.ids()).toEqual([small, after]);
    expect(lines.find((l) => l.msg === 'IMAP message too large: left in the mailbox, not imported')).toMatchObject({ level: 40, uid: 2, limit: 2_000 });
    await until(async () => (await messagesIn(mailbox)) === 1, 'only the large one left');
    await until(async () => (await stateOf(mailbox))?.lastUid === '3', 'lastUid 3');
  });

  it('polls at its interval a server that offers no IDLE', async () => {
    const plain = await startDovecot({ withoutIdle: true });
    try {
      const intake = recorder();
      // A tenant of its own: the state of this server's INBOX must not meet the other server's.
      const { slug } = await createTestTenant();
      const [{ id: ownTenant }] = await query<{ id: string }>((await orm()).em.fork(), 'select id from tenant where slug = ?', [slug]);
      const poller = await startPoller('INBOX', intake.receive, {
        tenantId: ownTenant,
        settings: imapConnectionOf(ownTenant, { url: plain.url, user: plain.user, password: plain.password, mailbox: 'INBOX', importedFolder: 'Sans-idle' }),
        pollIntervalMs: 200,
      });
      const [{ idle }] = (await once(poller, 'connected')) as [{ idle: boolean }];
      expect(idle).toBe(false);
      const id = tag('sans-idle');
      const other = await plain.connect();
      await other.append('INBOX', citizenMail(id));
      await other.logout();
      await until(() => intake.ids().includes(id), 'the message found by polling');
      await poller.stop();
    } finally {
      await plain.stop();
    }
  });

  it('retries a message the intake could not take, without advancing and without skipping', async () => {
    const mailbox = await newMailbox('reprise');
    const ids = [tag('t1'), tag('t2'), tag('t3')];
    let stateAtRetry: string | undefined;
    const intake = recorder((id, calls) => id === ids[1] && calls <= 2);
    const receive: ReceiveEmail = async (raw, envelope) => {
      if (raw.includes(ids[1]) && intake.calls.get(ids[1]) === 2) stateAtRetry = (await stateOf(mailbox))?.lastUid;
      return intake.receive(raw, envelope);
    };
    await append(mailbox, ...ids);
    await startPoller(mailbox, receive);
    await until(() => intake.received.length === 3, 'all three');
    expect(intake.ids()).toEqual(ids);
    expect(intake.calls.get(ids[1])).toBe(3);
    expect(intake.calls.get(ids[2])).toBe(1);
    expect(stateAtRetry).toBe('1');
    await until(async () => (await stateOf(mailbox))?.lastUid === '3', 'lastUid 3');
  });

  it('logs a refused login clearly and keeps retrying, without crashing', async () => {
    const { logger, lines } = memoryLogger();
    const intake = recorder();
    const poller = await startPoller('INBOX', intake.receive, { logger, settings: settingsFor('INBOX', { password: 'pas-le-bon' }) });
    const refusals = () => lines.filter((l) => String(l.msg).startsWith('IMAP login refused: check user and password in settings.mail.imap'));
    await until(() => refusals().length >= 2, 'two refused attempts');
    expect(refusals()[0]).toMatchObject({ level: 50, tenantId, user: dovecot.user, server: `127.0.0.1:${dovecot.port}` });
    expect(JSON.stringify(lines)).not.toContain('pas-le-bon');
    await poller.stop();
    expect(intake.received).toEqual([]);
  });

  it('logs an unreachable server clearly and keeps retrying, without crashing', async () => {
    const { logger, messages } = memoryLogger();
    const port = await freePort();
    const poller = await startPoller('INBOX', recorder().receive, { logger, settings: imapConnectionOf(tenantId, { url: `imap://127.0.0.1:${port}`, user: 'x', password: 'y' }) });
    const unreachable = () => messages().filter((m) => m.startsWith('IMAP server unreachable: check the url in settings.mail.imap'));
    await until(() => unreachable().length >= 2, 'two failed attempts');
    await poller.stop();
  });

  it('logs a missing mailbox clearly and keeps retrying until it exists', async () => {
    const { logger, messages } = memoryLogger();
    const intake = recorder();
    const mailbox = tag('absente');
    await startPoller(mailbox, intake.receive, { logger });
    await until(() => messages().some((m) => m.startsWith('IMAP mailbox cannot be opened')), 'the logged problem');
    await client.mailboxCreate(mailbox);
    const id = tag('enfin');
    await append(mailbox, id);
    await until(() => intake.ids().includes(id), 'the message once the mailbox exists');
  });
});

describe('startImapPollers', () => {
  it('polls the mailbox of each tenant that has one, the password stored encrypted', async () => {
    const mailbox = await newMailbox('communes');
    const { slug, config } = await createTestTenant();
    config.settings.mail = { imap: { url: dovecot.url, user: dovecot.user, password: dovecot.password, mailbox, importedFolder: `${mailbox}/Importés` } };
    const db = await orm();
    await importTenant(db, config);
    const [stored] = await query<{ password: string }>(db.em.fork(), `select settings #>> '{mail,imap,password}' as password from tenant where slug = ?`, [slug]);
    expect(stored.password).toMatch(/^enc:v1:/);
    expect(stored.password).not.toContain(dovecot.password);

    const intake = recorder();
    const id = tag('commune');
    await append(mailbox, id);
    const pollers = await startImapPollers({ orm: db, receive: intake.receive, logger: memoryLogger().logger, tenantSlugs: [slug], timings: { idleDelayMs: 200 } });
    running.push(pollers);
    expect([...pollers.pollers.keys()]).toEqual([slug]);
    await until(() => intake.ids().includes(id), 'the tenant mailbox read');
    expect(intake.received[0].envelope.tenantId).not.toBe(tenantId);
    await until(async () => (await messagesIn(`${mailbox}.Importés`)) === 1, 'moved under the nested folder');
  });

  it('skips, with a log line, a tenant whose password does not open, and starts the others', async () => {
    const broken = await createTestTenant();
    const fine = await createTestTenant();
    const db = await orm();
    const mailbox = await newMailbox('autre');
    for (const t of [broken, fine]) {
      t.config.settings.mail = { imap: { url: dovecot.url, user: dovecot.user, password: dovecot.password, mailbox } };
      await importTenant(db, t.config);
    }
    // A sealed password moved from another tenant's row does not open here.
    await query(db.em.fork(), `update tenant set settings = jsonb_set(settings, '{mail,imap,password}', (select settings #> '{mail,imap,password}' from tenant where slug = ?)) where slug = ?`, [fine.slug, broken.slug]);
    const { logger, lines } = memoryLogger();
    const pollers = await startImapPollers({ orm: db, receive: recorder().receive, logger, tenantSlugs: [broken.slug, fine.slug] });
    running.push(pollers);
    expect([...pollers.pollers.keys()]).toEqual([fine.slug]);
    expect(lines.find((l) => l.tenant === broken.slug)).toMatchObject({ level: 50, msg: 'IMAP settings unusable: this mailbox is not read' });
  });
});

describe('returnPath', () => {
  it('reads the SMTP sender a delivering server recorded', () => {
    expect(returnPath(Buffer.from('Return-Path: <a@b.fr>\r\nFrom: c@d.fr\r\n\r\nx'))).toBe('a@b.fr');
    expect(returnPath(Buffer.from('return-path:<>\nFrom: c@d.fr\n\nx'))).toBeNull();
    expect(returnPath(Buffer.from('From: c@d.fr\r\n\r\nReturn-Path: <corps@b.fr>\r\n'))).toBeNull();
  });
});
