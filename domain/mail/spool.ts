// The inbound spool: what the SMTP listener accepted, kept in PostgreSQL until the mail intake has filed it.
// The listener answers 250 once the bytes are stored (several connections' messages in one commit), so a burst is
// accepted at the database's pace; drainers in every worker then file the messages, each claimed by one drainer at a
// time, deleted once filed, retried with a backoff.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { InboundSpoolEntry } from '@/domain/entities';
import { GroupCommit } from '@/domain/group-commit';
import type { MailEnvelope, ReceiveEmail } from './inbound-message';
import { InboundMailInProgressError } from './intake';

/** What the spool needs. */
export interface InboundSpoolDeps {
  orm: MikroORM;
  /** Files one message (parse, authenticate, intake); throws on a temporary failure. */
  receive: ReceiveEmail;
  /** Messages filed at once by this drainer (default 8). */
  concurrency?: number;
  /** How long a claim holds a message before another drainer may take it over (default 5 min). */
  leaseMs?: number;
  /** How often an idle drainer looks for messages other workers queued or retries that fell due (default 1 s). */
  pollMs?: number;
  log?: { warn(fields: object, message: string): void; error(fields: object, message: string): void };
}

/** A message taken from the spool by one drainer. */
interface ClaimedEntry {
  id: string;
  raw: Buffer;
  envelope: MailEnvelope;
  queued_at: Date;
  attempts: number;
}

/** A running drainer. */
export interface SpoolDrainer {
  /** Stops claiming and waits for the messages in hand. */
  stop(): Promise<void>;
}

// A message another handling holds is retried soon; other failures back off up to a quarter of an hour, without end:
// a spooled message was accepted with 250, so it is never dropped.
const IN_PROGRESS_RETRY_MS = 30_000;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 15 * 60_000;
// Past this many attempts each failure is logged as an error: someone must look.
const ALARM_ATTEMPTS = 10;

/** Delay before the next attempt after `attempts` failed ones. */
export function spoolRetryDelay(attempts: number, error: unknown): number {
  if (error instanceof InboundMailInProgressError) return IN_PROGRESS_RETRY_MS;
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

// Under a burst, the messages of several SMTP connections go into one INSERT and one commit (bench:mail: one statement
// and commit per message held the listener near 110 e-mails/s); a batch carries at most this many bytes of messages.
const SPOOL_BATCH_BYTES = 8 * 1024 * 1024;

/** Stores accepted messages in the spool (the listener's whole work per message). */
export function createSpoolWriter(orm: MikroORM) {
  const inserts = new GroupCommit<{ id: string; raw: Buffer; envelope: MailEnvelope }>(
    async (rows) => {
      await orm.em.fork().insertMany(InboundSpoolEntry, rows);
    },
    { maxBatch: SPOOL_BATCH_BYTES, weigh: (row) => Math.max(1, row.raw.length) },
  );
  return {
    /** Resolves with the message's queue id once the statement holding it has committed. */
    async spool(raw: Buffer, envelope: MailEnvelope): Promise<string> {
      const id = randomUUID();
      await inserts.push({ id, raw, envelope: { ...envelope } });
      return id;
    },
  };
}

/** The drainers' side of the spool: `drainOnce`/`start` file it, `wake` says a message was just spooled. */
export function createInboundSpool(deps: InboundSpoolDeps) {
  const concurrency = deps.concurrency ?? 8;
  const leaseSeconds = (deps.leaseMs ?? 5 * 60_000) / 1000;
  const pollMs = deps.pollMs ?? 1_000;
  const wakers = new Set<() => void>();
  const wake = () => wakers.forEach((waker) => waker());

  // Raw SQL on the drain's hot path (bench:mail): one statement claims a batch, skipping rows other drainers hold.
  async function claim(limit: number): Promise<ClaimedEntry[]> {
    return deps.orm.em.getConnection().execute<ClaimedEntry[]>(
      `update inbound_spool s set claimed_until = now() + make_interval(secs => ?), attempts = s.attempts + 1
        where s.id in (select id from inbound_spool
                        where next_attempt_at <= now() and (claimed_until is null or claimed_until < now())
                        order by queued_at limit ? for update skip locked)
        returning s.id, s.raw, s.envelope, s.queued_at, s.attempts`,
      [leaseSeconds, limit],
    );
  }

  /** Files one claimed message: deleted once the intake has it (the intake itself files nothing twice), else retried. */
  async function file(entry: ClaimedEntry): Promise<void> {
    const em = deps.orm.em.fork();
    try {
      await deps.receive(Buffer.from(entry.raw), { ...entry.envelope, queuedAt: new Date(entry.queued_at).toISOString() });
      await em.nativeDelete(InboundSpoolEntry, { id: entry.id });
    } catch (error) {
      const delay = spoolRetryDelay(entry.attempts, error);
      const fields = { err: error, spoolId: entry.id, attempts: entry.attempts, retryInMs: delay };
      if (entry.attempts >= ALARM_ATTEMPTS) deps.log?.error(fields, 'spooled e-mail still not filed');
      else deps.log?.warn(fields, 'spooled e-mail not filed yet; retrying later');
      await em.nativeUpdate(
        InboundSpoolEntry,
        { id: entry.id },
        { claimedUntil: null, nextAttemptAt: new Date(Date.now() + delay), lastError: String((error as Error)?.message ?? error).slice(0, 2000) },
      );
    }
  }

  /** Files what is due now, `concurrency` at a time, until nothing is due; returns how many were handled. */
  async function drainOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const batch = await claim(concurrency);
      if (batch.length === 0) return handled;
      await Promise.all(batch.map(file));
      handled += batch.length;
    }
  }

  /** Drains continuously: woken by `add` in this process, polling for the rest. */
  function start(): SpoolDrainer {
    let running = true;
    const inHand = new Set<Promise<void>>();
    let waker: (() => void) | undefined;
    const idle = () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs);
        function done() {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        }
        waker = done;
        wakers.add(done);
      });
    const loop = (async () => {
      while (running) {
        const free = concurrency - inHand.size;
        let claimed = 0;
        if (free > 0) {
          try {
            const batch = await claim(free);
            claimed = batch.length;
            for (const entry of batch) {
              const work: Promise<void> = file(entry).finally(() => {
                inHand.delete(work);
                wake();
              });
              inHand.add(work);
            }
          } catch (error) {
            deps.log?.warn({ err: error }, 'inbound spool unreachable; retrying');
          }
        }
        // Full hands, or nothing due: wait for a message to be filed, a new one, or the poll.
        if (running && (claimed === 0 || inHand.size >= concurrency)) await idle();
      }
      await Promise.all(inHand);
    })();
    return {
      async stop() {
        running = false;
        waker?.();
        await loop;
      },
    };
  }

  /** Tells the drainer a message was spooled elsewhere (the listener's thread) rather than waiting for its next poll. */
  return { drainOnce, start, wake };
}

/** The spool service of a worker. */
export type InboundSpool = ReturnType<typeof createInboundSpool>;
