import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { hashPassword } from '@/domain/auth/passwords';
import type { EscalationStep } from '@/domain/deadlines/escalation';
import { env } from '@/domain/env';
import { createIntake } from '@/domain/intake/submission';
import type { NewRequestBody } from '@/domain/intake/schema';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { importTenant, type TenantConfig } from '@/domain/tenant-config/import';
import { requestWorkflowStarter, temporalClient } from '@/temporal/client';
import type { Actor } from '@/workflows/request/definitions';
import { REQUEST_TASK_QUEUE, requestWorkflowId } from '@/workflows/request/definitions';

/** Options of a throw-away tenant with delays of seconds. */
export interface TestTenantOptions {
  delay?: string;
  escalation?: EscalationStep[];
  stopClock?: boolean;
  organisation?: 'centralised' | 'decentralised';
  citizenNotifications?: string[];
  /** The process the `question` topic's requests follow (none: the topic's own settings). */
  questionProcess?: string;
  /** Online payment settings and products sold. */
  payment?: TenantConfig['settings']['payment'];
  products?: TenantConfig['products'];
  /** Subscription lists (none by default). */
  lists?: TenantConfig['lists'];
}

/** A tenant of its own for one test, with agents whose addresses carry the tenant slug. */
export async function createTestTenant(options: TestTenantOptions = {}) {
  const slug = `t-${randomUUID().slice(0, 8)}`;
  const mail = (name: string) => `${name}.${slug}@mairie.test`;
  const escalation = options.escalation ?? [
    { percent: 66, recipients: ['department'] },
    { percent: 100, recipients: ['head'] },
  ];
  const config: TenantConfig = {
    slug,
    name: `Commune ${slug}`,
    settings: {
      organisation: options.organisation ?? 'decentralised',
      receptionDepartment: 'accueil',
      stopClockWhileAwaitingCitizen: options.stopClock ?? true,
      citizenNotifications: (options.citizenNotifications ?? []) as TenantConfig['settings']['citizenNotifications'],
      autoCloseAfter: 'PT1H',
      ...(options.payment ? { payment: options.payment } : {}),
    },
    products: options.products,
    lists: options.lists,
    departments: [
      { slug: 'accueil', name: 'Accueil', escalation },
      { slug: 'etat-civil', name: 'État civil', escalation },
    ],
    topics: [
      { slug: 'question', label: 'Poser une question', department: 'accueil', delay: options.delay ?? 'PT1H', ...(options.questionProcess ? { process: options.questionProcess } : {}) },
      { slug: 'acte', label: "Demande d'acte", department: 'etat-civil', delay: options.delay ?? 'PT1H', validationRequired: true },
    ],
    agents: [
      { email: mail('agent'), name: 'Agent Accueil', roles: [{ department: 'accueil', role: 'agent' }] },
      { email: mail('chef'), name: 'Chef Accueil', roles: [{ department: 'accueil', role: 'head' }] },
      { email: mail('civil'), name: 'Agent État civil', roles: [{ department: 'etat-civil', role: 'agent' }] },
      { email: mail('valideur'), name: 'Valideur État civil', roles: [{ department: 'etat-civil', role: 'validator' }] },
      { email: mail('admin'), name: 'Admin', isAdmin: true },
      { email: mail('dpo'), name: 'Délégué protection des données', isDpo: true },
      { email: mail('regie'), name: 'Régisseur', isTreasurer: true },
    ],
  };
  const orm = await initORM(env().DATABASE_URL!);
  await importTenant(orm, config);
  return { slug, mail, config };
}

/** Gives an agent a password (test tenants are imported without). */
export async function setAgentPassword(tenantSlug: string, email: string, password: string): Promise<void> {
  const orm = await initORM(env().DATABASE_URL!);
  await orm.em.fork().getConnection().execute('update agent set password_hash = ? where email = ? and tenant_id = (select id from tenant where slug = ?)', [
    await hashPassword(password),
    email,
    tenantSlug,
  ]);
}

/** The tenant and agent ids of an agent, as administration services take them. */
export async function agentContext(tenantSlug: string, email: string): Promise<{ tenantId: string; agentId: string }> {
  const orm = await initORM(env().DATABASE_URL!);
  const [row] = await query<{ tenant_id: string; agent_id: string }>(
    orm.em.fork(),
    'select t.id as tenant_id, a.id as agent_id from tenant t join agent a on a.tenant_id = t.id where t.slug = ? and a.email = ?',
    [tenantSlug, email],
  );
  if (!row) throw new Error(`no agent ${email} in ${tenantSlug}`);
  return { tenantId: row.tenant_id, agentId: row.agent_id };
}

/** The actor an agent acts as, with the roles the database gives them. */
export async function actorFor(tenantSlug: string, email: string): Promise<Actor> {
  const orm = await initORM(env().DATABASE_URL!);
  const rows = await query<{ id: string; name: string; is_admin: boolean; department_id: string | null; role: string | null }>(
    orm.em.fork(),
    `select a.id, a.name, a.is_admin, ar.department_id, ar.role from agent a join tenant t on t.id = a.tenant_id
       left join agent_role ar on ar.agent_id = a.id where t.slug = ? and a.email = ?`,
    [tenantSlug, email],
  );
  if (!rows.length) throw new Error(`no agent ${email} in ${tenantSlug}`);
  return {
    agentId: rows[0].id,
    name: rows[0].name,
    isAdmin: rows[0].is_admin,
    departmentIds: [...new Set(rows.filter((r) => r.department_id).map((r) => r.department_id!))],
    validatorOf: rows.filter((r) => r.role === 'validator' || r.role === 'head').map((r) => r.department_id!),
  };
}

/** Department id and slug, as transfers name them. */
export async function departmentOf(tenantSlug: string, departmentSlug: string) {
  const orm = await initORM(env().DATABASE_URL!);
  const [row] = await query<{ id: string; slug: string; name: string }>(
    orm.em.fork(),
    'select d.id, d.slug, d.name from department d join tenant t on t.id = d.tenant_id where t.slug = ? and d.slug = ?',
    [tenantSlug, departmentSlug],
  );
  return row;
}

/** The Temporal client of the test process. */
export function testClient(): Promise<Client> {
  return temporalClient({ address: env().TEMPORAL_ADDRESS!, namespace: env().TEMPORAL_NAMESPACE });
}

/** Files a request through the real intake service, on the given task queue. */
export async function fileRequest(tenantSlug: string, body: Partial<NewRequestBody> & { contact: NewRequestBody['contact'] }, taskQueue = REQUEST_TASK_QUEUE) {
  const orm = await initORM(env().DATABASE_URL!);
  const intake = createIntake({
    orm,
    publicUrl: env().PUBLIC_URL,
    startWorkflow: requestWorkflowStarter({ address: env().TEMPORAL_ADDRESS!, namespace: env().TEMPORAL_NAMESPACE }, taskQueue),
  });
  const receipt = await intake.submitRequest(tenantSlug, { topic: 'question', subject: 'Une question', message: 'Bonjour.', ...body });
  const handle: WorkflowHandle = (await testClient()).workflow.getHandle(requestWorkflowId(tenantSlug, receipt.reference));
  return { receipt, handle };
}

/** The projected case record. */
export async function requestRow(tenantSlug: string, reference: string) {
  const orm = await initORM(env().DATABASE_URL!);
  const [row] = await query<{
    id: string; state: string; due_at: Date; answer: string | null; department_id: string; answered_at: Date | null; closed_at: Date | null;
    process_slug: string | null; process_version: number | null;
  }>(
    orm.em.fork(),
    `select r.id, r.state, r.due_at, r.answer, r.department_id, r.answered_at, r.closed_at, r.process_slug, r.process_version
       from request r join tenant t on t.id = r.tenant_id where t.slug = ? and r.reference = ?`,
    [tenantSlug, reference],
  );
  return row;
}

/** The audit trail of a request, oldest first. */
export async function eventsOf(requestId: string) {
  const orm = await initORM(env().DATABASE_URL!);
  return query<{ type: string; public: boolean; state: string; actor: string | null; data: Record<string, unknown> }>(
    orm.em.fork(),
    'select type, public, state, actor, data from request_event where request_id = ? order by created_at, key',
    [requestId],
  );
}

/** Polls until a check passes (projection is asynchronous), every intervalMs, for at most timeoutMs. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000, intervalMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/**
 * Waits until the message a 250 reply of Relais's listener queued ("Queued as <id>") has left the inbound spool, i.e.
 * the intake has filed it. Throws if the reply names no queue id.
 */
export async function waitUntilFiled(smtpResponse: string, timeoutMs = 30_000): Promise<void> {
  const queueId = /Queued as ([0-9a-f-]{36})\b/.exec(smtpResponse)?.[1];
  if (!queueId) throw new Error(`The listener's reply names no queue id: ${smtpResponse}`);
  const em = (await initORM(env().DATABASE_URL!)).em.fork();
  await eventually(async () => {
    const [left] = await query<{ attempts: number; last_error: string | null }>(em, 'select attempts, last_error from inbound_spool where id = ?', [queueId]);
    if (left) throw new Error(`Message ${queueId} still spooled after ${left.attempts} attempt(s): ${left.last_error ?? 'not tried yet'}`);
  }, timeoutMs);
}
