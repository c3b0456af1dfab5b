import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveClusterMetrics } from './cluster-metrics';

const processes: Worker[] = [];
afterAll(() => processes.forEach((p) => p.process.kill('SIGKILL')));

function start(hits: number): Promise<Worker> {
  const worker = cluster.fork({ HITS: String(hits) });
  processes.push(worker);
  return new Promise((resolve, reject) => {
    worker.once('message', (message) => (message === 'ready' ? resolve(worker) : reject(new Error(String(message)))));
    worker.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
}

function scrape(worker: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { body?: string; error?: string }) => {
      if (message?.body === undefined && message?.error === undefined) return;
      worker.off('message', onMessage);
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.body!);
    };
    worker.on('message', onMessage);
    worker.send('scrape');
  });
}

describe('web cluster metrics', () => {
  it('answers a scrape in any process with the sum of every live process, and forgets a process that died', async () => {
    cluster.setupPrimary({ exec: path.join(import.meta.dirname, 'testing', 'cluster-process.ts'), execArgv: ['--import', 'tsx'] });
    serveClusterMetrics();
    const [first, second] = await Promise.all([start(2), start(5)]);

    expect(await scrape(first)).toMatch(/^relais_test_hits_total 7$/m);
    expect(await scrape(second)).toMatch(/^relais_test_hits_total 7$/m);

    const exited = new Promise((resolve) => second.once('exit', resolve));
    second.process.kill('SIGKILL');
    await exited;
    expect(await scrape(first)).toMatch(/^relais_test_hits_total 2$/m);
  }, 60_000);
});
