import { proxyActivities } from '@temporalio/workflow';
import type { ProbeActivities } from '@/activities/probe/probe-activities';

const { probe } = proxyActivities<ProbeActivities>({ startToCloseTimeout: '30 seconds' });

/**
 * The smallest workflow on Relais's stack: started, one activity, completed. `bench:intake` runs it beside the
 * requests it files, so that what a request costs beyond Temporal's own round trip is measured on the same machine.
 */
export async function probeWorkflow(): Promise<number> {
  return probe();
}
