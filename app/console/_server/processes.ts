import 'server-only';
import { ensureShippedProcesses } from '@/domain/processes/store';
import { appContext } from '@/app/_server/context';

/** Stores the shipped processes once per server, so the designer's screens list them before any form was opened. */
export async function shippedProcessesStored(): Promise<void> {
  const { orm } = await appContext();
  await ensureShippedProcesses(orm);
}
