import { EntitySchema, type Opt } from '@mikro-orm/core';
import { timestamptz, uuidKey } from './columns';

/** A running worker process, which renews `seenAt` while it lives and deletes its row when it stops. */
export class WorkerPresence {
  id!: string;
  taskQueue!: string;
  host!: string;
  pid!: number;
  startedAt!: Opt<Date>;
  seenAt!: Opt<Date>;
}

export const WorkerPresenceSchema = new EntitySchema<WorkerPresence>({
  class: WorkerPresence,
  tableName: 'worker_presence',
  indexes: [{ name: 'worker_presence_task_queue_seen_at_idx', properties: ['taskQueue', 'seenAt'] }],
  properties: {
    id: uuidKey,
    taskQueue: { type: 'string', length: 200 },
    host: { type: 'string', length: 255 },
    pid: { type: 'integer' },
    startedAt: timestamptz({ now: true }),
    seenAt: timestamptz({ now: true }),
  },
});
