import { randomInt } from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { SubmittedMessage } from '@/dev/smsc-simulator/simulator';
import { approveCampaign, composeCampaign, submitCampaign, type CampaignActor, type CampaignDraftInput } from '@/domain/campaigns/campaigns';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { agentContext, createTestTenant, testClient } from '@/temporal/testing/fixtures';
import { campaignWorkflowId, type CampaignInput } from '@/workflows/campaigns/definitions';
import { REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();

/** A tenant of its own with one SMS and e-mail list, `alertes`. */
export async function campaignTenant() {
  return createTestTenant({ lists: [{ slug: 'alertes', label: 'Alertes', channels: ['sms', 'email'] }] });
}

/**
 * `count` active SMS subscribers of a list, made in one statement (as an import would, without its trail), on numbers
 * of their own: +33 7 with a three-digit block no subscriber has yet, then the rank. Tests count what the shared SMSC
 * simulator received per number: two seedings on one block would see each other's campaigns.
 */
export async function seedSmsSubscribers(tenantSlug: string, listSlug: string, count: number): Promise<string[]> {
  const used = new Set(
    (await query<{ block: string }>(await em(), `select distinct left(address, 7) as block from subscriber where channel = 'sms' and address like '+337%'`)).map((row) => row.block),
  );
  const free = Array.from({ length: 900 }, (_, i) => `+337${i + 100}`).filter((block) => !used.has(block));
  if (free.length === 0) throw new Error('No free block of test numbers left in +337100… to +337999…');
  const block = free[randomInt(free.length)];
  const phones = Array.from({ length: count }, (_, i) => `${block}${String(i).padStart(5, '0')}`);
  await query(
    await em(),
    `with t as (select t.id as tenant_id, l.id as list_id from tenant t join subscription_list l on l.tenant_id = t.id where t.slug = ? and l.slug = ?),
     p as (insert into subscriber (id, tenant_id, channel, address) select gen_random_uuid(), t.tenant_id, 'sms', a from t, unnest(?::text[]) a returning id, tenant_id)
     insert into subscription (id, tenant_id, subscriber_id, list_id, status, consent_at, consent_method)
     select gen_random_uuid(), p.tenant_id, p.id, t.list_id, 'active', now(), 'import' from p, t`,
    [tenantSlug, listSlug, `{${phones.join(',')}}`],
  );
  return phones;
}

/** Numbers that sent STOP to the tenant (their subscriptions stay active: the send-time check must stop them). */
export async function optOut(tenantSlug: string, phones: readonly string[]): Promise<void> {
  await query(
    await em(),
    `insert into sms_opt_out (id, tenant_id, phone) select gen_random_uuid(), t.id, a from tenant t, unnest(?::text[]) a where t.slug = ? on conflict do nothing`,
    [`{${phones.join(',')}}`, tenantSlug],
  );
}

/** The actor of an agent of a test tenant, as the console builds it. */
export async function campaignActor(tenantSlug: string, email: string, mayApprove: boolean, isAdmin = false): Promise<CampaignActor> {
  return { ...(await agentContext(tenantSlug, email)), mayApprove, isAdmin };
}

/** A campaign composed by the tenant's agent and approved by its head; returns its workflow input. */
export async function approvedCampaign(
  tenant: { slug: string; mail: (name: string) => string },
  draft: Partial<CampaignDraftInput> & { body: string },
): Promise<CampaignInput> {
  const author = await campaignActor(tenant.slug, tenant.mail('agent'), false);
  const head = await campaignActor(tenant.slug, tenant.mail('chef'), true);
  const composed = await composeCampaign(await em(), author, { list: 'alertes', title: 'Test', channels: ['sms'], ...draft });
  await submitCampaign(await em(), author, composed.id);
  const campaign = await approveCampaign(await em(), head, composed.id);
  return { tenantId: author.tenantId, campaignId: campaign.id, emergency: campaign.emergency, scheduledAt: campaign.scheduledAt?.toISOString() };
}

/** Starts a campaign's workflow on a task queue (the stack's worker by default). */
export async function startCampaign(input: CampaignInput, taskQueue = REQUEST_TASK_QUEUE) {
  const client = await testClient();
  return client.workflow.start('campaignWorkflow', {
    taskQueue,
    workflowId: campaignWorkflowId(input.tenantId, input.campaignId),
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    args: [input],
  });
}

/** How many SMS the simulator accepted for each of these numbers; a long SMS counts once (its first segment). */
export async function smsCountsTo(phones: readonly string[]): Promise<Map<string, number>> {
  const wanted = new Set(phones);
  const counts = new Map<string, number>(phones.map((p) => [p, 0]));
  // Every message: the control API's list stops at 500 unless asked for more.
  const response = await fetch(`${process.env.SMSC_CONTROL_URL}/messages?limit=${Number.MAX_SAFE_INTEGER}`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`SMSC simulator GET /messages answered ${response.status}`);
  for (const message of (await response.json()) as SubmittedMessage[]) if (wanted.has(message.to) && (message.concat?.sequence ?? 1) === 1) counts.set(message.to, counts.get(message.to)! + 1);
  return counts;
}

/** Recipients of a campaign by status. */
export async function recipientStatuses(campaignId: string): Promise<Record<string, number>> {
  const rows = await query<{ status: string; n: string }>(await em(), 'select status, count(*) as n from campaign_recipient where campaign_id = ? group by status', [campaignId]);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** What the SMSC saw of a rate: submit_sm per second over a window, and the most in any one second of the run. */
export interface RateAtSmsc {
  perSecond: number;
  /** Largest count of submit_sm within any second (a sliding window over the whole run). */
  maxInOneSecond: number;
  /** Whether submissions went on past the window's end (else its last part measured the campaign's end, not the rate). */
  coversWindow: boolean;
}

/** Measures a rate from the simulator's acceptance times (ms): `seconds` from `skipSeconds` after the first one. */
export function rateAtSmsc(acceptedAt: readonly number[], window: { skipSeconds: number; seconds: number }): RateAtSmsc {
  const times = [...acceptedAt].sort((a, b) => a - b);
  const from = times[0] + window.skipSeconds * 1000;
  const to = from + window.seconds * 1000;
  let maxInOneSecond = 0;
  for (let first = 0, last = 0; first < times.length; first++) {
    while (last < times.length && times[last] < times[first] + 1000) last++;
    maxInOneSecond = Math.max(maxInOneSecond, last - first);
  }
  return { perSecond: times.filter((t) => t >= from && t < to).length / window.seconds, maxInOneSecond, coversWindow: times.at(-1)! >= to };
}
