import net from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** The state of one dependency. */
export interface DependencyHealth {
  ok: boolean;
  detail: string;
}

/** Checks PostgreSQL with a round trip. */
export async function databaseHealth(orm: MikroORM): Promise<DependencyHealth> {
  const [row] = await orm.em.fork().getConnection().execute('select version() as version');
  return { ok: true, detail: String(row.version).split(' ').slice(0, 2).join(' ') };
}

/** Checks the Temporal frontend, names its stores, and counts the pollers it lists on the request task queue. */
export async function temporalHealth(client: Client, namespace: string, taskQueue: string): Promise<{ temporal: DependencyHealth; pollers: number }> {
  const [info, cluster] = await Promise.all([client.workflowService.getSystemInfo({}), client.workflowService.getClusterInfo({})]);
  const queue = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  // The stores name the persistence: sqlite for the development server, postgres12 for the cluster topology.
  const stores = `persistence ${cluster.persistenceStore || 'unknown'}, visibility ${cluster.visibilityStore || 'unknown'}`;
  return { temporal: { ok: true, detail: `Temporal server ${info.serverVersion ?? ''} (${stores})` }, pollers: queue.pollers?.length ?? 0 };
}

/**
 * The workers of the request task queue, counted from the live processes (domain/workers/presence.ts): Temporal keeps a
 * killed worker in its poller list for minutes, so its count is only shown beside, when it can be read.
 */
export function workerHealth(live: number, taskQueue: string, pollers?: number): DependencyHealth {
  const listed = pollers === undefined ? '' : ` (Temporal lists ${pollers} poller(s))`;
  return { ok: live > 0, detail: live > 0 ? `${live} worker(s) running on ${taskQueue}${listed}` : `no worker runs on ${taskQueue}${listed}` };
}

/** Checks that a TCP service (SMTP, SMPP) accepts connections. */
export function tcpHealth(url: string, defaultPort: number): Promise<DependencyHealth> {
  const target = new URL(url);
  const port = Number(target.port || defaultPort);
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.hostname, port, timeout: 2000 });
    const done = (ok: boolean, detail: string) => {
      socket.destroy();
      resolve({ ok, detail });
    };
    socket.once('connect', () => done(true, `${target.hostname}:${port} accepts connections`));
    socket.once('timeout', () => done(false, `${target.hostname}:${port} did not answer within 2 s`));
    socket.once('error', (error) => done(false, `${target.hostname}:${port}: ${error.message}`));
  });
}

/** Runs a check, turning a failure into a red entry instead of an error. */
export async function check<T>(work: () => Promise<T>, fallback: (error: Error) => T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    return fallback(error as Error);
  }
}
