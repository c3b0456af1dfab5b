import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';

/** One activity call as a workflow makes it: its name, its arguments and the options it is scheduled with. */
export interface ProfiledCall {
  activity: string;
  args: unknown[];
  options: ActivityOptions;
}

/** Schedules one activity with the given options, so its retries are Temporal's own. */
export async function profiledActivityWorkflow(call: ProfiledCall): Promise<unknown> {
  const activities = proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>(call.options);
  return activities[call.activity](...call.args);
}
