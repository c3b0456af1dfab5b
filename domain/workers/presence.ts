import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkerPresence } from '@/domain/entities';

/** How often a running worker renews its presence. */
export const PRESENCE_RENEWAL_MS = 5_000;
/** A worker not seen for this long no longer counts: it was killed, or its machine is gone. */
export const PRESENCE_EXPIRY_MS = 15_000;
/** Rows of workers gone for this long are deleted by the next renewal, so the table stays the size of the fleet. */
const PRESENCE_PURGE_MS = 24 * 3600_000;

/** One worker process. */
export interface WorkerIdentity {
  id: string;
  taskQueue: string;
  host: string;
  pid: number;
}

/** Records that a worker is alive at `now` (first call: its start). */
export async function renewPresence(em: EntityManager, worker: WorkerIdentity, now = new Date()): Promise<void> {
  await em.upsert(WorkerPresence, { ...worker, seenAt: now }, { onConflictFields: ['id'], onConflictMergeFields: ['seenAt'] });
  await em.nativeDelete(WorkerPresence, { seenAt: { $lt: new Date(now.getTime() - PRESENCE_PURGE_MS) } });
}

/** Removes a worker that stops cleanly: it stops counting at once, not after the expiry. */
export async function withdrawPresence(em: EntityManager, workerId: string): Promise<void> {
  await em.nativeDelete(WorkerPresence, { id: workerId });
}

/** How many worker processes of a task queue were seen alive within the expiry before `now`. */
export async function liveWorkers(em: EntityManager, taskQueue: string, now = new Date()): Promise<number> {
  return em.count(WorkerPresence, { taskQueue, seenAt: { $gte: new Date(now.getTime() - PRESENCE_EXPIRY_MS) } });
}
