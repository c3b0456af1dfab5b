import type { MikroORM } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';

/** Who asks for SMS tokens: an emergency campaign goes before ordinary ones. */
export type BroadcastPriority = 'emergency' | 'campaign';

/** What the shared bucket of an operator account needs. */
export interface RateBucketOptions {
  orm: MikroORM;
  /** The operator account (`system_id@host:port`): every worker bound as it shares one row. */
  account: string;
  /** submit_sm per second the operator sells for the account; Infinity takes no token at all. */
  ratePerSecond: number;
  /** Tokens that may pile up while nobody sends (default rateBurstOf(ratePerSecond)). */
  burst?: number;
}

/**
 * The burst of an account's rate: a tenth of a second of traffic, at least 1 (1 for no limit). It is what the account
 * catches up after a pause of every worker (a scheduling delay, a slow commit); a quarter of a second measured no
 * better over a minute on cores loaded by other runs, and lets more through in one second. A process's own pacing of
 * submit_sm allows the same burst, so that it catches up with tokens the bucket granted together.
 */
export function rateBurstOf(ratePerSecond: number): number {
  return Number.isFinite(ratePerSecond) ? Math.max(1, Math.floor(ratePerSecond / 10)) : 1;
}

/** The rate of one operator account for the whole deployment, whatever the number of workers. */
export interface RateBucket {
  /** Waits until `segments` tokens are granted to this priority; `onWait` runs while it waits (a batch heartbeats). */
  take(segments: number, priority: BroadcastPriority, onWait?: () => void): Promise<void>;
  /**
   * Counts an SMS that did not wait (a notification about a citizen's own request): the bucket may go into debt, and
   * campaigns wait the longer, so those notifications keep priority.
   */
  debit(segments: number): Promise<void>;
}

// How long an emergency campaign's last request for tokens keeps ordinary campaigns waiting.
const EMERGENCY_HOLD = '2 seconds';

/**
 * A token bucket in PostgreSQL, one row per operator account. Raw SQL: one statement per grant on the sending hot path
 * (the row lock orders workers; the refill is computed from the row's clock so that no process's clock matters).
 * One clock reading per statement serves both the refill and the new refill time: with two readings, the instant
 * between them was lost at every grant (about 2 % of the rate at 80/s with two workers on loaded cores).
 * Grants and debits commit without waiting for the WAL flush (`synchronous_commit` off for their transaction): a
 * flush slowed by other writers held every worker's next grant, the bucket filled to its burst meanwhile and the
 * tokens past it were lost (the rate fell 2 % short on loaded cores); a crash loses at most a few token counts.
 */
export function createRateBucket(options: RateBucketOptions): RateBucket {
  const { orm, account, ratePerSecond: rate } = options;
  const burst = options.burst ?? rateBurstOf(rate);
  let ready: Promise<void> | undefined;
  const ensureRow = () =>
    (ready ??= query(orm.em.fork(), 'insert into sms_rate_bucket (account, tokens) values (?, ?) on conflict (account) do nothing', [account, burst]).then(
      () => undefined,
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    ));

  const grant = async (wanted: number, priority: BroadcastPriority) => {
    const [row] = await query<{ granted: number; available: number; held: boolean }>(
      orm.em.fork(),
      `with async as (select set_config('synchronous_commit', 'off', true)),
       locked as (select account, tokens, refilled_at, emergency_until, clock_timestamp() as now from sms_rate_bucket where account = ? for update),
       b as (
         select account, now, least(?::float8, tokens + extract(epoch from now - refilled_at) * ?::float8) as available,
                coalesce(emergency_until > now, false) as held
           from locked),
       g as (
         select account, now, available, held,
                case when ? = 'campaign' and held then 0 else least(?::float8, greatest(0, floor(available))) end as granted
           from b, async)
       update sms_rate_bucket s set tokens = g.available - g.granted, refilled_at = g.now,
              emergency_until = case when ? = 'emergency' then g.now + interval '${EMERGENCY_HOLD}' else s.emergency_until end
         from g where s.account = g.account
       returning g.granted, g.available, g.held`,
      [account, burst, rate, priority, wanted, priority],
    );
    return { granted: Number(row.granted), available: Number(row.available), held: row.held };
  };

  // Takers of this process wait in one line per priority and share a small local reserve: the database sees one grant
  // per chunk (a twentieth of a second of traffic), not one per SMS, however many sends a batch has in flight.
  const chunk = Math.max(1, Math.floor(rate / 20));
  const lines: Record<BroadcastPriority, { reserve: number; tail: Promise<void> }> = {
    emergency: { reserve: 0, tail: Promise.resolve() },
    campaign: { reserve: 0, tail: Promise.resolve() },
  };
  const acquire = async (segments: number, priority: BroadcastPriority, onWait?: () => void) => {
    const line = lines[priority];
    let missing = segments;
    for (;;) {
      const local = Math.min(line.reserve, missing);
      line.reserve -= local;
      missing -= local;
      if (missing <= 0) return;
      const { granted, available, held } = await grant(Math.max(missing, chunk), priority);
      line.reserve += granted;
      if (line.reserve >= missing) continue;
      onWait?.();
      // Sleep until the next token is due (or while an emergency campaign holds the account).
      const waitMs = priority === 'campaign' && held ? 200 : Math.max(2, ((1 - (available - granted)) / rate) * 1000);
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 1000)));
    }
  };

  return {
    async take(segments, priority, onWait) {
      if (!Number.isFinite(rate)) return;
      await ensureRow();
      const line = lines[priority];
      const turn = line.tail.then(() => acquire(segments, priority, onWait));
      line.tail = turn.catch(() => undefined);
      await turn;
    },
    async debit(segments) {
      if (!Number.isFinite(rate)) return;
      await ensureRow();
      await query(
        orm.em.fork(),
        `with async as (select set_config('synchronous_commit', 'off', true))
         update sms_rate_bucket set refilled_at = n.now,
                tokens = greatest(-?::float8, least(?::float8, tokens + extract(epoch from n.now - refilled_at) * ?::float8) - ?)
           from async, (select clock_timestamp() as now) n where account = ?`,
        [rate, burst, rate, segments, account],
      );
    },
  };
}
