import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type CalendarSpecDescription,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/** What ensuring a tenant's schedule did. */
export type ScheduleOutcome = 'created' | 'updated' | 'unchanged' | 'outdated';

/** The options of a schedule that starts one workflow. */
export type WorkflowSchedule<W extends Workflow> = ScheduleOptions<ScheduleOptionsStartWorkflowAction<W>>;

/** True when a described calendar field holds exactly one value. */
export function single(ranges: CalendarSpecDescription['hour'] | undefined, value: number): boolean {
  return ranges?.length === 1 && ranges[0].start === value && ranges[0].end === value;
}

/** True when a described schedule starts the wanted workflow, with the same arguments, in the wanted time zone, skipping overlaps. */
export function startsWanted<W extends Workflow>(description: ScheduleDescription, wanted: WorkflowSchedule<W>): boolean {
  const { action, spec, policies } = description;
  return (
    spec.timezone === wanted.spec.timezone &&
    action.type === 'startWorkflow' &&
    action.workflowType === wanted.action.workflowType &&
    action.taskQueue === wanted.action.taskQueue &&
    JSON.stringify(action.args) === JSON.stringify(wanted.action.args) &&
    policies.overlap === ScheduleOverlapPolicy.SKIP
  );
}

/**
 * Creates a schedule, or brings an existing one up to date unless `update` is false; safe to call at every start and
 * from several processes at once, since a schedule id exists once. A paused schedule stays paused: an operator (or a
 * legal hold) paused it on purpose.
 */
export async function ensureSchedule<W extends Workflow>(
  client: Client,
  wanted: WorkflowSchedule<W>,
  isCurrent: (description: ScheduleDescription) => boolean,
  { update = true } = {},
): Promise<ScheduleOutcome> {
  try {
    await client.schedule.create(wanted);
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(wanted.scheduleId);
  if (isCurrent(await handle.describe())) return 'unchanged';
  if (!update) return 'outdated';
  await handle.update((previous) => ({ spec: wanted.spec, action: wanted.action, policies: wanted.policies, state: previous.state }));
  return 'updated';
}
