import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@/dev/ports';
import { env, resetEnv } from '@/domain/env';
import { developmentRelaisSecret } from './key-file';
import { MissingRelaisSecretError, relaisSecret } from './relais-secret';

const saved = process.env.RELAIS_SECRET;

afterEach(() => {
  process.env.RELAIS_SECRET = saved;
  resetEnv();
});

/** The environment of a deployment: real SMTP and SMPP, no development sink or simulator, no RELAIS_SECRET. */
function deployment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const variables: NodeJS.ProcessEnv = { ...process.env, SMTP_URL: 'smtp://smtp.ville-exemple.fr:587', SMPP_URL: 'smpp://relais:secret@smsc.example:2775', ...extra };
  for (const name of ['RELAIS_SECRET', 'MAIL_SINK_URL', 'SMSC_CONTROL_URL']) delete variables[name];
  return variables;
}

/** The lines a process wrote on stderr, without blank ones. */
const lines = (text: string) => text.split('\n').filter((line) => line.trim());

describe('RELAIS_SECRET', () => {
  it('is read from the environment, and its absence (or an empty value) is an error naming the variable', () => {
    process.env.RELAIS_SECRET = 'a'.repeat(64);
    resetEnv();
    expect(relaisSecret()).toBe('a'.repeat(64));
    for (const unset of [undefined, '']) {
      if (unset === undefined) delete process.env.RELAIS_SECRET;
      else process.env.RELAIS_SECRET = unset;
      resetEnv();
      expect(() => relaisSecret()).toThrow(MissingRelaisSecretError);
      expect(() => relaisSecret()).toThrow(/^RELAIS_SECRET is not set/);
    }
    process.env.RELAIS_SECRET = 'trop-court';
    resetEnv();
    expect(() => env()).toThrow(/RELAIS_SECRET: must be at least 32 characters/);
  });

  it('stops the web server at start in one line naming it, before anything listens', async () => {
    const port = await freePort();
    const web = spawnSync(process.execPath, ['--import', 'tsx', path.join('scripts', 'web-server.ts'), '-p', String(port)], { env: deployment(), encoding: 'utf8', timeout: 60_000 });
    expect(web.status).toBe(1);
    expect(lines(web.stderr)).toEqual([expect.stringMatching(/^The web server could not start: RELAIS_SECRET is not set: .*openssl rand -hex 32/)]);
    expect(web.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops npm start in one line when the stack is a deployment (real SMTP and SMPP) without it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-secret-'));
    const start = spawnSync(process.execPath, ['--import', 'tsx', path.join('scripts', 'start.ts')], {
      env: deployment({ PORT: String(await freePort()), RELAIS_DATA_DIR: dataDir, DATABASE_URL: 'postgresql://relais:relais@127.0.0.1:1/relais', TEMPORAL_ADDRESS: '127.0.0.1:1' }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(start.status).toBe(1);
    expect(lines(start.stderr)).toEqual([expect.stringMatching(/^\[relais\] could not start: RELAIS_SECRET is not set/)]);
    // Nothing was created for a development stack.
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('is, for npm start’s own development stack, a random key kept in a private file and read back at the next start', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'relais-secret-')), 'data');
    const first = developmentRelaisSecret(dir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(dir, 'relais-secret.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(developmentRelaisSecret(dir)).toBe(first);
    expect(developmentRelaisSecret(fs.mkdtempSync(path.join(os.tmpdir(), 'relais-secret-')))).not.toBe(first);
  });
});
