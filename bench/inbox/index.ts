import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from '@/domain/auth/db';
import { listInbox, type InboxViewer } from '@/domain/inbox/list';
import { parseInboxFilters } from '@/domain/inbox/filters';
import { encodeCursor } from '@/domain/inbox/cursor';
import { closeAllORMs, initORM } from '@/domain/orm';
import { prepareDatabase, startTestDatabase } from '@/temporal/testing/services';
import { ms, percentile } from '@/bench/support/stats';
import { seedInbox } from './seed';

/**
 * Inbox bench: seeds BENCH_INBOX_ROWS requests (default 100 000; 1 000 000 for the real run) over BENCH_INBOX_TENANTS tenants
 * with set-based SQL, then times the server-side inbox queries (the same domain functions the console and the API call).
 */
async function main(): Promise<void> {
  const rows = Number(process.env.BENCH_INBOX_ROWS ?? 100_000);
  const tenants = Number(process.env.BENCH_INBOX_TENANTS ?? 4);
  const samples = Number(process.env.BENCH_INBOX_SAMPLES ?? 60);
  const log = (line: string) => console.log(`[inbox] ${line}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-bench-inbox-'));
  await fs.chmod(dir, 0o755);
  const database = await startTestDatabase(dir);
  try {
    await prepareDatabase(database.url);
    const orm = await initORM(database.url);
    const seedStarted = performance.now();
    const slugs = await seedInbox(orm, { rows, tenants, log });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(`seed: ${rows.toLocaleString('fr-FR')} requests over ${tenants} tenants in ${seedSeconds.toFixed(0)} s`);

    const viewers: Array<InboxViewer & { deep: string; department: string }> = [];
    for (const slug of slugs) {
      const [tenant] = await sql<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [slug]);
      // A position about 20 000 rows deep, as a keyset cursor (what "page 400" would carry).
      const [deep] = await sql<{ received_at: Date; id: string }>(
        orm.em.fork(),
        'select received_at, id from request where tenant_id = ? order by received_at desc, id desc offset ? limit 1',
        [tenant.id, Math.min(20_000, Math.floor(rows / tenants / 2))],
      );
      viewers.push({ tenantId: tenant.id, departmentIds: [], deep: encodeCursor(deep.received_at, deep.id), department: 'urbanisme' });
    }

    const scenarios: Record<string, (v: (typeof viewers)[number], i: number) => Record<string, string>> = {
      'first page': () => ({ etat: 'all' }),
      'open requests': () => ({}),
      'deep keyset page': (v) => ({ etat: 'all', apres: v.deep }),
      'filtered page': (v, i) => ({ etat: i % 2 ? 'closed' : 'all', service: v.department, canal: 'email' }),
      'full-text search': (_v, i) => ({ etat: 'all', q: ['déchetterie', 'permis construire', 'eclairage panne', 'cantine inscription', 'passeport'][i % 5] }),
      'multi-term search': (_v, i) => ({ etat: 'all', q: ['encombrants samedi médiathèque', 'lampadaire procuration'][i % 2] }),
    };
    const results: Record<string, { p50: number; p95: number }> = {};
    for (const [name, build] of Object.entries(scenarios)) {
      const timings: number[] = [];
      for (let i = 0; i < samples + 5; i += 1) {
        const viewer = viewers[i % viewers.length];
        const filters = parseInboxFilters(build(viewer, i));
        const started = performance.now();
        const page = await listInbox(orm.em.fork(), viewer, filters);
        const elapsed = performance.now() - started;
        if (i >= 5) timings.push(elapsed); // the first runs warm caches and plans
        if (i === 5) log(`${name}: ${page.rows.length} rows${page.next ? ', more pages' : ''}`);
      }
      results[name] = { p50: percentile(timings, 50), p95: percentile(timings, 95) };
      log(`${name.padEnd(18)} p50 ${ms(results[name].p50).padStart(8)}  p95 ${ms(results[name].p95).padStart(8)}`);
    }
    const list = Math.max(results['first page'].p95, results['open requests'].p95, results['deep keyset page'].p95, results['filtered page'].p95);
    const search = Math.max(results['full-text search'].p95, results['multi-term search'].p95);
    console.log(
      `inbox: ${rows.toLocaleString('en')} rows/${tenants} tenants, seed ${seedSeconds.toFixed(0)} s; p50/p95 first ${ms(results['first page'].p50)}/${ms(results['first page'].p95)}, ` +
        `deep ${ms(results['deep keyset page'].p50)}/${ms(results['deep keyset page'].p95)}, filtered ${ms(results['filtered page'].p50)}/${ms(results['filtered page'].p95)}, ` +
        `search ${ms(results['full-text search'].p50)}/${ms(results['full-text search'].p95)}; list p95 ${list <= 50 ? '≤' : '>'} 50 ms, search p95 ${search <= 150 ? '≤' : '>'} 150 ms`,
    );
  } finally {
    await closeAllORMs();
    await database.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
