import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { PRESENCE_RENEWAL_MS, renewPresence, withdrawPresence, type WorkerIdentity } from '@/domain/workers/presence';

/**
 * Announces this worker process to the health check until it stops: recorded once before it returns (a worker is
 * counted as soon as it runs), renewed every few seconds, withdrawn when the worker stops cleanly.
 */
export async function keepWorkerPresence(deps: { orm: MikroORM; taskQueue: string; logger: Logger }): Promise<{ stop(): Promise<void> }> {
  const worker: WorkerIdentity = { id: randomUUID(), taskQueue: deps.taskQueue, host: os.hostname(), pid: process.pid };
  await renewPresence(deps.orm.em.fork(), worker);
  let renewal: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewal = renewPresence(deps.orm.em.fork(), worker).catch((error) => deps.logger.warn(error, 'worker presence could not be renewed'));
  }, PRESENCE_RENEWAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await renewal;
      await withdrawPresence(deps.orm.em.fork(), worker.id);
    },
  };
}
