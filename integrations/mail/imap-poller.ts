// Reads a mailbox the municipality already has over IMAP and hands each new message to the mail intake.
import { EventEmitter } from 'node:events';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Semaphore } from 'async-mutex';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import type { Logger } from 'pino';
import { ImapMailboxState } from '@/domain/entities';
import type { ImapConnectionSettings } from '@/domain/mail/imap-settings';
import type { InboundMailOutcome, MailEnvelope, ReceiveEmail } from '@/domain/mail/inbound-message';

/** What one poller needs: the tenant's mailbox, the intake, and its timings (defaults suit production). */
export interface ImapPollerOptions {
  orm: MikroORM;
  tenantId: string;
  settings: ImapConnectionSettings;
  receive: ReceiveEmail;
  logger: Logger;
  /** Without IDLE, how often the mailbox is read (default one minute). */
  pollIntervalMs?: number;
  /** With IDLE, a full read all the same now and then, for a notification a server dropped (default 15 minutes). */
  idleResyncMs?: number;
  /** Quiet time before IDLE starts after a command (default one second). */
  idleDelayMs?: number;
  /** First delay before reconnecting or retrying a message the intake could not take; doubles up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Larger messages are not downloaded: they stay in the mailbox with a warning (default INBOUND_MAIL_MAX_BYTES). */
  maxMessageBytes?: number;
  /** Shared by the pollers of a process so that few rounds hold a database connection at once. */
  gate?: Semaphore;
}

/** A summary of one read of the mailbox. */
export interface ImapRound {
  uidValidity: string;
  imported: number;
  /** True when the intake failed for now and the rest waits for the retry. */
  deferred: boolean;
}

const DEFAULTS = {
  pollIntervalMs: 60_000,
  idleResyncMs: 15 * 60_000,
  idleDelayMs: 1_000,
  retryDelayMs: 2_000,
  maxRetryDelayMs: 5 * 60_000,
  maxMessageBytes: 30 * 1024 * 1024,
};

// Advisory lock namespace ('IMAP'): two workers never read the same mailbox at once.
const LOCK_NAMESPACE = 0x494d4150;

/**
 * One tenant mailbox read in UID order: each new message goes to the intake, then to the imported folder, then
 * lastUid advances in PostgreSQL, so a restart resumes after the last message handed over. A crash between the
 * handover and the state write hands that one message again: the intake files it once (Message-ID dedupe).
 * Emits 'connected' ({ idle }), 'round' (ImapRound) and 'problem' (Error); never throws to its caller.
 */
export class ImapPoller extends EventEmitter {
  private readonly options: ImapPollerOptions & typeof DEFAULTS;
  private readonly log: Logger;
  private client?: ImapFlow;
  private importedPath?: string;
  private loop?: Promise<void>;
  private round?: Promise<void>;
  private again = false;
  private stopped = false;
  private failures = 0;
  private timers = new Set<NodeJS.Timeout>();
  private wake?: () => void;

  constructor(options: ImapPollerOptions) {
    super();
    this.options = { ...DEFAULTS, ...withoutUndefined(options) };
    const { host, port, user, mailbox } = options.settings;
    this.log = options.logger.child({ component: 'imap', tenantId: options.tenantId, server: `${host}:${port}`, user, mailbox });
  }

  /** True while the connection waits in IDLE for the server to announce a message. */
  get idling(): boolean {
    return Boolean(this.client?.idling);
  }

  /** Connects in the background and keeps reading until stop(). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Lets the message under way finish, logs out and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.wake?.();
    await this.round;
    const client = this.client;
    if (client?.usable) await client.logout().catch(() => client.close());
    else client?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.session();
      } catch (error) {
        if (this.stopped) break;
        this.failures += 1;
        this.reportConnectionError(error as Error);
      }
      if (!this.stopped) await this.pause(this.failures ? this.backoff() : this.options.retryDelayMs);
    }
  }

  // One connection: open the mailbox, read it, then read again on every new message until the connection ends.
  private async session(): Promise<void> {
    const { settings, idleDelayMs } = this.options;
    const client = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: { user: settings.user, pass: settings.password ?? '' },
      tls: { rejectUnauthorized: !settings.tlsInsecure },
      clientInfo: { name: 'Relais' },
      autoIdleDelay: idleDelayMs,
      connectionTimeout: 30_000,
      // A server that announces a small message and sends a huge one is cut off instead of filling the memory.
      maxLiteralSize: this.options.maxMessageBytes + 1024 * 1024,
      maxResponseSize: 2 * this.options.maxMessageBytes + 2 * 1024 * 1024,
      logger: false,
    });
    this.client = client;
    let failure: Error | undefined;
    client.on('error', (error: Error) => (failure = error));
    const closed = new Promise<void>((resolve) => client.once('close', resolve));
    try {
      await client.connect();
      await client.mailboxOpen(settings.mailbox);
      this.importedPath = (await client.mailboxCreate(settings.importedFolder)).path;
      if (this.stopped) return;
      const idle = client.capabilities.has('IDLE');
      client.on('exists', () => this.requestRound());
      this.log.info({ idle, importedFolder: this.importedPath }, 'IMAP mailbox open');
      this.emit('connected', { idle });
      this.requestRound();
      const every = setInterval(() => this.requestRound(), idle ? this.options.idleResyncMs : this.options.pollIntervalMs);
      await closed;
      clearInterval(every);
      await this.round;
    } finally {
      client.close();
    }
    if (!this.stopped) throw failure ?? new ClosedByServer();
  }

  private requestRound(): void {
    if (this.stopped) return;
    if (this.round) {
      this.again = true;
      return;
    }
    this.round = this.rounds().finally(() => (this.round = undefined));
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      const client = this.client;
      if (!client?.usable || !client.mailbox) return;
      try {
        const round = await this.gated(() => this.exclusively(() => this.importNew(client)));
        if (!round) continue;
        this.emit('round', round);
        if (round.deferred) return this.retryLater();
        this.failures = 0;
      } catch (error) {
        // A lost connection ends the session (which reconnects); anything else is retried on this connection.
        if (!client.usable || this.stopped) return;
        this.log.error({ error: summary(error) }, 'reading the IMAP mailbox failed; retrying');
        this.emit('problem', error);
        return this.retryLater();
      }
    } while (this.again && !this.stopped);
  }

  private async importNew(client: ImapFlow): Promise<ImapRound> {
    // Without IDLE the server reports new messages (and a UIDVALIDITY changed under the session) only in answer to a
    // command: NOOP is the cheapest.
    await client.noop();
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error('no mailbox selected');
    const uidValidity = mailbox.uidValidity.toString();
    const state = await this.options.orm.em.fork().findOne(ImapMailboxState, { tenant: this.options.tenantId, mailbox: this.options.settings.mailbox });
    let lastUid = 0n;
    if (state?.uidValidity === uidValidity) lastUid = BigInt(state.lastUid);
    else {
      // Stored UIDs mean nothing under a new UIDVALIDITY: everything still in the mailbox is read again, and the intake
      // files nothing twice because it recognises each message by its Message-ID.
      if (state) this.log.warn({ previous: state.uidValidity, uidValidity }, 'UIDVALIDITY changed: reading the whole mailbox again');
      await this.saveState(uidValidity, 0n);
    }
    const round: ImapRound = { uidValidity, imported: 0, deferred: false };
    if (!mailbox.exists) return round;
    // Listed first: no other command may run inside a FETCH, and the move below is one.
    const listed = await client.fetchAll(`${lastUid + 1n}:*`, { uid: true, size: true }, { uid: true });
    // `n:*` also names the last message when every UID is below n.
    const pending = listed.filter((m) => BigInt(m.uid) > lastUid).sort((a, b) => a.uid - b.uid);
    for (const message of pending) {
      if (this.stopped) break;
      if (!(await this.importOne(client, message, uidValidity))) return { ...round, deferred: true };
      round.imported += 1;
    }
    return round;
  }

  // False when the intake failed for now: the message stays, lastUid stays, the round stops.
  private async importOne(client: ImapFlow, listed: FetchMessageObject, uidValidity: string): Promise<boolean> {
    const uid = listed.uid;
    if ((listed.size ?? 0) > this.options.maxMessageBytes) {
      this.log.warn({ uid, size: listed.size, limit: this.options.maxMessageBytes }, 'IMAP message too large: left in the mailbox, not imported');
      await this.saveState(uidValidity, uid);
      return true;
    }
    const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    if (!message || !message.source) {
      this.log.info({ uid }, 'IMAP message gone before it was read (moved or deleted meanwhile)');
      await this.saveState(uidValidity, uid);
      return true;
    }
    let outcome: InboundMailOutcome;
    try {
      outcome = await this.options.receive(message.source, this.envelopeOf(message.source));
    } catch (error) {
      this.log.warn({ uid, error: summary(error) }, 'the mail intake failed for now: the message stays in the mailbox and is retried');
      return false;
    }
    this.log.info({ uid, outcome: outcome.kind }, 'IMAP message handed to the intake');
    await this.moveToImported(client, uid);
    await this.saveState(uidValidity, uid);
    return true;
  }

  private async moveToImported(client: ImapFlow, uid: number): Promise<void> {
    let moved = false;
    try {
      moved = Boolean(await client.messageMove(String(uid), this.importedPath!, { uid: true }));
    } catch (error) {
      if (!client.usable) throw error;
    }
    if (moved) return;
    // The handover happened: a connection lost here means the next round hands it again (the intake drops the copy).
    if (!client.usable) throw new Error('connection lost while moving an imported message');
    // A refused move must not block the mailbox: the message stays where it is, already imported.
    this.log.error({ uid, importedFolder: this.importedPath }, 'imported IMAP message could not be moved: it stays in the mailbox');
  }

  private envelopeOf(raw: Buffer): MailEnvelope {
    return { source: 'imap', mailFrom: returnPath(raw), rcptTo: [this.options.settings.address], tenantId: this.options.tenantId };
  }

  private async saveState(uidValidity: string, lastUid: bigint | number): Promise<void> {
    await this.options.orm.em.fork().upsert(ImapMailboxState, {
      tenant: this.options.tenantId,
      mailbox: this.options.settings.mailbox,
      uidValidity,
      lastUid: String(lastUid),
      updatedAt: new Date(),
    });
  }

  // Undefined when another worker holds the mailbox: that worker reads it and this one skips the round.
  private async exclusively<T>(read: () => Promise<T>): Promise<T | undefined> {
    const knex = this.options.orm.em.getConnection().getKnex();
    return knex.transaction(async (trx) => {
      // Advisory locks have no ORM API; the transaction-scoped one is released even if this process dies.
      const { rows } = await trx.raw('select pg_try_advisory_xact_lock(?, hashtext(?)) as locked', [LOCK_NAMESPACE, `${this.options.tenantId}:${this.options.settings.mailbox}`]);
      if (!rows[0].locked) {
        this.log.debug('mailbox read by another worker');
        return undefined;
      }
      return read();
    });
  }

  private gated<T>(work: () => Promise<T>): Promise<T> {
    return this.options.gate ? this.options.gate.runExclusive(work) : work();
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.failures += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.requestRound();
    }, this.backoff());
    this.timers.add(timer);
  }

  private backoff(): number {
    return Math.min(this.options.retryDelayMs * 2 ** Math.min(Math.max(this.failures - 1, 0), 16), this.options.maxRetryDelayMs);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.timers.add(timer);
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private reportConnectionError(error: Error): void {
    const retryInMs = this.backoff();
    const details = error as Error & { authenticationFailed?: boolean; code?: string; responseText?: string };
    if (error instanceof ClosedByServer) {
      // Servers end idle sessions on restarts, timeouts or a mailbox changed under them: routine, reconnected.
      this.log.warn({ retryInMs }, 'IMAP server closed the connection; reconnecting');
      return;
    }
    const reason = details.authenticationFailed
      ? 'IMAP login refused: check user and password in settings.mail.imap'
      : UNREACHABLE.has(details.code ?? '')
        ? 'IMAP server unreachable: check the url in settings.mail.imap'
        : details.code === 'NotFound' || /mailbox/i.test(details.responseText ?? '')
          ? 'IMAP mailbox cannot be opened: check mailbox and importedFolder in settings.mail.imap'
          : 'IMAP connection failed';
    this.log.error({ error: summary(error), retryInMs }, `${reason}; retrying in ${Math.round(retryInMs / 1000)} s`);
    this.emit('problem', error);
  }
}

class ClosedByServer extends Error {
  constructor() {
    super('the server closed the connection');
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'NoConnection', 'EConnectionClosed']);

// Message, code and the server's answer only: an error object may carry the command that was sent.
function summary(error: unknown): Record<string, unknown> {
  const e = error as Error & { code?: string; responseText?: string; serverResponseCode?: string };
  return { message: e?.message ?? String(error), code: e?.code, serverResponseCode: e?.serverResponseCode, response: e?.responseText };
}

/** The Return-Path of a delivered message: its SMTP sender; null for `<>` (a delivery report) or when absent. */
export function returnPath(raw: Buffer): string | null {
  const ends = [raw.indexOf('\r\n\r\n'), raw.indexOf('\n\n')].filter((i) => i >= 0);
  const header = raw.subarray(0, Math.min(ends.length ? Math.min(...ends) : raw.length, 64 * 1024)).toString('latin1');
  const match = /^return-path:[ \t]*<?([^>\r\n]*)>?/im.exec(header);
  const address = match?.[1].trim();
  return address ? address : null;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
