import 'server-only';
import { ensureShippedForms } from '@/domain/forms/store';
import { appContext } from '@/app/_server/context';

/** Stores the shipped processes and forms once per server, so the designer's screens list them (and what names them) from the start. */
export async function shippedProcessesStored(): Promise<void> {
  const { orm } = await appContext();
  await ensureShippedForms(orm);
}
