import { appContext, appTemporalClient } from '@/app/_server/context';
import { env } from '@/domain/env';
import { check, databaseHealth, type DependencyHealth, tcpHealth, temporalHealth, workerHealth } from '@/domain/health';
import { liveWorkers } from '@/domain/workers/presence';

export const dynamic = 'force-dynamic';

/** Reports each dependency; 200 when all are green, 503 otherwise. */
export async function GET(): Promise<Response> {
  const config = env();
  const red = (error: Error) => ({ ok: false, detail: error.message });
  const context = await check(() => appContext(), () => undefined);
  const database = context ? await check(() => databaseHealth(context.orm), red) : { ok: false, detail: 'not configured' };
  const { temporal, pollers } = await check(
    async () => temporalHealth(await appTemporalClient(), config.TEMPORAL_NAMESPACE, config.TEMPORAL_TASK_QUEUE),
    (error): { temporal: DependencyHealth; pollers?: number } => ({ temporal: red(error) }),
  );
  const live = context ? await check(() => liveWorkers(context.orm.em.fork(), config.TEMPORAL_TASK_QUEUE), () => undefined) : undefined;
  const worker = live === undefined ? { ok: false, detail: 'unknown: the database is unreachable' } : workerHealth(live, config.TEMPORAL_TASK_QUEUE, pollers);
  const checks: Record<string, { ok: boolean; detail: string }> = { database, temporal, worker };
  checks.smtp = config.SMTP_URL ? await tcpHealth(config.SMTP_URL, 25) : { ok: false, detail: 'SMTP_URL is not set' };
  if (config.SMPP_URL) checks.smpp = await tcpHealth(config.SMPP_URL, 2775);
  const ok = Object.values(checks).every((c) => c.ok);
  return Response.json({ status: ok ? 'ok' : 'degraded', checks }, { status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
