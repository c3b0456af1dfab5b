import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@/dev/ports';
import { stopChild } from '@/dev/temporal-dev-server';
import { eventually } from '@/temporal/testing/fixtures';
import { webProcessIds as children } from './web-processes';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'busy-web-processes.ts');
// Far beyond any answer here: a request still open then was left unread.
const HANG_MS = 15_000;

type Outcome = { answeredBy: number } | { error: string } | 'hung';

const answerer = (outcome: Outcome) => (typeof outcome === 'object' && 'answeredBy' in outcome ? outcome.answeredBy : undefined);

/** One request on a connection of its own, so that every request is a connection the cluster hands to a process. */
function request(port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, agent: false, timeout: HANG_MS }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ answeredBy: Number(body) }));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve('hung');
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('web processes on one port', () => {
  const port = freePort();
  const primary = port.then((p) => spawn(process.execPath, ['--import', 'tsx', FIXTURE], { env: { ...process.env, PORT: String(p) }, stdio: ['ignore', 'ignore', 'inherit'] }));
  afterAll(async () => stopChild(await primary));

  it('leaves no connection unanswered when a process is killed under load, and serves from its replacement', async () => {
    const p = await port;
    const pid = (await primary).pid!;
    await eventually(async () => {
      expect(children(pid)).toHaveLength(2);
      expect(answerer(await request(p))).toBeDefined();
    }, 20_000, 200);
    const original = children(pid);

    const outcomes: Promise<Outcome>[] = [];
    let replaced = false;
    const load = (async () => {
      // Until the replacement has had 200 connections' worth of time to take some.
      for (let after = 0; after < 200; after += replaced ? 1 : 0) {
        outcomes.push(request(p));
        await sleep(3);
      }
    })();
    await sleep(500);
    // Stopped first, as a process stalled before it dies: connections keep coming while it reads none of them.
    process.kill(original[0], 'SIGSTOP');
    await sleep(300);
    process.kill(original[0], 'SIGKILL');
    await eventually(async () => expect(children(pid).filter((child) => !original.includes(child))).not.toEqual([]), 20_000, 100);
    replaced = true;
    await load;
    const settled = await Promise.all(outcomes);

    const hung = settled.filter((outcome) => outcome === 'hung');
    const answeredBy = new Set(settled.map(answerer).filter((child) => child !== undefined));
    const errors = new Set(settled.flatMap((outcome) => (typeof outcome === 'object' && 'error' in outcome ? [outcome.error] : [])));
    expect(hung).toEqual([]);
    // Only a connection the killed process held is cut; the others are answered, some by the new process.
    expect([...errors].filter((code) => !['ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes(code))).toEqual([]);
    expect(answeredBy.has(original[1])).toBe(true);
    expect([...answeredBy].some((child) => !original.includes(child))).toBe(true);
  }, 60_000);
});
