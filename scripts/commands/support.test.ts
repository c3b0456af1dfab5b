import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStackState, stackStateFile, writeStackState, type StackState } from '@/dev/stack-state';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { newId, runRelais, writeTenantFile } from '@/temporal/testing/cli';

afterAll(() => closeAllORMs());

const demo = JSON.parse(fs.readFileSync(path.join('domain', 'tenant-config', 'demo-tenant.json'), 'utf8'));
const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'relais-stack-'));

/** The test's environment as a shell beside `npm start` has it: no DATABASE_URL nor Temporal address, its own data folder. */
function shellEnv(dir: string): NodeJS.ProcessEnv {
  const { DATABASE_URL: _database, TEMPORAL_ADDRESS: _temporal, ...rest } = process.env;
  return { ...rest, RELAIS_DATA_DIR: dir };
}

function stateOf(pid: number): StackState {
  return { pid, startedAt: new Date().toISOString(), databaseUrl: env().DATABASE_URL!, temporalAddress: env().TEMPORAL_ADDRESS, temporalNamespace: env().TEMPORAL_NAMESPACE };
}

describe('the command line beside npm start', () => {
  it('imports a tenant with DATABASE_URL unset, through the state file of the running stack, and says which stack it used', async () => {
    const dir = dataDir();
    // This test process stands for the running npm start: its pid is alive.
    const file = writeStackState(dir, stateOf(process.pid));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const slug = `cli-pile-${newId().slice(0, 8)}`;
    const tenantFile = writeTenantFile({ ...demo, slug, hostnames: [], settings: { ...demo.settings, mail: { ...demo.settings.mail, addresses: [`mairie@${slug}.fr`] } } });

    const result = runRelais(['tenant:import', tenantFile], shellEnv(dir));
    expect(result.stderr).toContain(`DATABASE_URL is unset: using the stack of npm start (pid ${process.pid}`);
    expect(result.stderr).toContain(file);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Imported ${slug}: 5 departments`);
    const rows = await query(( await initORM(env().DATABASE_URL!)).em.fork(), 'select 1 from tenant where slug = ?', [slug]);
    expect(rows).toHaveLength(1);
  });

  it('says to run npm start or set DATABASE_URL, in English and French, when no stack runs', () => {
    const none = runRelais(['db:migrate'], shellEnv(dataDir()));
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('DATABASE_URL is not set and no running npm start was found: run `npm start`');
    expect(none.stderr).toContain('DATABASE_URL n’est pas défini et aucun npm start n’est en cours : lancez `npm start`');
    expect(none.stderr).not.toMatch(/at .*\.ts:\d+/);

    // A stack killed without its clean stop leaves its file behind: it names a process that no longer runs.
    const dir = dataDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeStackState(dir, stateOf(dead));
    const stale = runRelais(['db:migrate'], shellEnv(dir));
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(`The npm start that wrote ${stackStateFile(dir)} (pid ${dead}) is no longer running.`);
  });

  it('keeps an explicit DATABASE_URL over the state file', () => {
    const dir = dataDir();
    writeStackState(dir, { ...stateOf(process.pid), databaseUrl: 'postgresql://personne:rien@127.0.0.1:1/absente' });
    const result = runRelais(['db:migrate'], { ...shellEnv(dir), DATABASE_URL: env().DATABASE_URL });
    expect(result.stderr).not.toContain('using the stack of npm start');
    expect(result.stdout).toContain('The database is up to date.');
  });

  it('removes the state file on a clean stop, only the one it wrote', () => {
    const dir = dataDir();
    writeStackState(dir, stateOf(process.pid + 1));
    removeStackState(dir, process.pid);
    expect(fs.existsSync(stackStateFile(dir))).toBe(true);
    removeStackState(dir, process.pid + 1);
    expect(fs.existsSync(stackStateFile(dir))).toBe(false);
    removeStackState(dir, process.pid);
  });
});
