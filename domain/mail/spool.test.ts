import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initORM, migrate } from '@/domain/orm';
import { query } from '@/domain/sql';
import { startTestDatabase } from '@/temporal/testing/services';
import type { MailEnvelope, ReceiveEmail } from './inbound-message';
import { InboundMailInProgressError } from './intake';
import { createInboundSpool, createSpoolWriter, spoolRetryDelay } from './spool';

// A database of its own: the test stack's worker drains the shared one's spool and would take these messages.
let database: { url: string; stop(): Promise<void> };
let orm: MikroORM;
let writer: ReturnType<typeof createSpoolWriter>;

beforeAll(async () => {
  database = await startTestDatabase('');
  orm = await initORM(database.url);
  await migrate(orm);
  writer = createSpoolWriter(orm);
});

afterAll(async () => {
  await orm.close();
  await database.stop();
});

const envelope = (n: number): MailEnvelope => ({ source: 'smtp', mailFrom: `citoyen-${n}@exemple.fr`, rcptTo: ['demo@relais.localhost'], remoteAddress: '127.0.0.1', helo: 'client.test' });

async function spooled(): Promise<Array<{ id: string; attempts: number; claimed_until: string | null; next_attempt_at: string; last_error: string | null }>> {
  return query(orm.em.fork(), 'select id, attempts, claimed_until, next_attempt_at, last_error from inbound_spool order by queued_at');
}

async function emptySpool(): Promise<void> {
  await query(orm.em.fork(), 'delete from inbound_spool');
}

/** A receive that records what it was given. */
function recorder() {
  const seen: Array<{ body: string; envelope: MailEnvelope }> = [];
  const receive: ReceiveEmail = async (raw, env) => {
    seen.push({ body: raw.toString(), envelope: env });
    return { kind: 'ignored', inboundId: 'x', reason: 'test' };
  };
  return { seen, receive };
}

describe('inbound spool', () => {
  it('keeps the bytes and envelope, hands them to the intake with the arrival time, and deletes the message once filed', async () => {
    await emptySpool();
    const { seen, receive } = recorder();
    const spool = createInboundSpool({ orm, receive });
    const before = Date.now();
    const id = await writer.spool(Buffer.from('Subject: Bonjour\r\n\r\nUn lampadaire.\r\n'), envelope(1));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await spooled()).toHaveLength(1);
    expect(await spool.drainOnce()).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0].body).toContain('Un lampadaire.');
    expect(seen[0].envelope).toMatchObject({ source: 'smtp', mailFrom: 'citoyen-1@exemple.fr', rcptTo: ['demo@relais.localhost'], helo: 'client.test' });
    expect(Date.parse(seen[0].envelope.queuedAt!)).toBeGreaterThanOrEqual(before - 1_000);
    expect(await spooled()).toHaveLength(0);
  });

  it('keeps a message the intake could not file, with its error, and retries it once due — never dropping it', async () => {
    await emptySpool();
    let failures = 2;
    const { seen, receive: record } = recorder();
    const receive: ReceiveEmail = async (raw, env) => {
      if (failures-- > 0) throw new Error('Temporal unreachable');
      return record(raw, env);
    };
    const spool = createInboundSpool({ orm, receive });
    await writer.spool(Buffer.from('Subject: Plus tard\r\n\r\nx\r\n'), envelope(2));
    expect(await spool.drainOnce()).toBe(1);
    let [row] = await spooled();
    expect(row).toMatchObject({ attempts: 1, claimed_until: null, last_error: 'Temporal unreachable' });
    expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(Date.now());
    // Not due yet: nothing is tried.
    expect(await spool.drainOnce()).toBe(0);
    await query(orm.em.fork(), 'update inbound_spool set next_attempt_at = now()');
    expect(await spool.drainOnce()).toBe(1);
    [row] = await spooled();
    expect(row).toMatchObject({ attempts: 2 });
    await query(orm.em.fork(), 'update inbound_spool set next_attempt_at = now()');
    expect(await spool.drainOnce()).toBe(1);
    expect(await spooled()).toHaveLength(0);
    expect(seen).toHaveLength(1);
  });

  it('backs off from 5 s to a quarter of an hour, and retries a message another handling holds after 30 s', () => {
    expect([1, 2, 3, 4].map((n) => spoolRetryDelay(n, new Error('x')))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(spoolRetryDelay(40, new Error('x'))).toBe(15 * 60_000);
    expect(spoolRetryDelay(7, new InboundMailInProgressError('busy'))).toBe(30_000);
  });

  it('leaves a message another drainer holds, and takes it over once that drainer’s lease has run out', async () => {
    await emptySpool();
    const { seen, receive } = recorder();
    const spool = createInboundSpool({ orm, receive });
    await writer.spool(Buffer.from('Subject: Orphelin\r\n\r\nx\r\n'), envelope(3));
    // A drainer claimed it and died mid-way.
    await query(orm.em.fork(), "update inbound_spool set claimed_until = now() + interval '1 hour', attempts = 1");
    expect(await spool.drainOnce()).toBe(0);
    await query(orm.em.fork(), "update inbound_spool set claimed_until = now() - interval '1 second'");
    expect(await spool.drainOnce()).toBe(1);
    expect(seen).toHaveLength(1);
    expect(await spooled()).toHaveLength(0);
  });

  it('shares the spool between running drainers: a burst is filed completely, each message by exactly one of them', async () => {
    await emptySpool();
    const counts = new Map<string, number>();
    const receive: ReceiveEmail = async (raw) => {
      const key = raw.toString();
      counts.set(key, (counts.get(key) ?? 0) + 1);
      // Long enough for the drainers to overlap.
      await new Promise((resolve) => setImmediate(resolve));
      return { kind: 'ignored', inboundId: 'x', reason: 'test' };
    };
    const first = createInboundSpool({ orm, receive, concurrency: 4, pollMs: 50 });
    const second = createInboundSpool({ orm, receive, concurrency: 4, pollMs: 50 });
    const drainers = [first.start(), second.start()];
    const ids = await Promise.all(Array.from({ length: 60 }, (_, i) => writer.spool(Buffer.from(`message ${i}`), envelope(i)).then((id) => ((i % 2 ? first : second).wake(), id))));
    expect(new Set(ids).size).toBe(60);
    const deadline = Date.now() + 30_000;
    while ((await spooled()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all(drainers.map((drainer) => drainer.stop()));
    expect(await spooled()).toHaveLength(0);
    expect(counts.size).toBe(60);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('stores a burst from many connections, a message larger than one statement’s share included, each with its own bytes', async () => {
    await emptySpool();
    const large = Buffer.alloc(9 * 1024 * 1024, 'a');
    const bodies = Array.from({ length: 40 }, (_, i) => (i === 17 ? large : Buffer.from(`Subject: n° ${i}\r\n\r\nx\r\n`)));
    const ids = await Promise.all(bodies.map((body, i) => writer.spool(body, envelope(i))));
    const rows = await query<{ id: string; bytes: number; sender: string }>(orm.em.fork(), "select id, length(raw) as bytes, envelope->>'mailFrom' as sender from inbound_spool");
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(rows).toHaveLength(40);
    ids.forEach((id, i) => expect(byId.get(id)).toEqual({ id, bytes: bodies[i].length, sender: `citoyen-${i}@exemple.fr` }));
    await emptySpool();
  });
});
