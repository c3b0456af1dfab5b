/**
 * Test support of the process workflow: a Temporal test environment, a worker whose activities only record what they
 * were asked (no database, no mail), and inputs built around a definition.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ProcessDefinition } from '@/domain/processes/definition';
import { ensureTemporalCli } from '@/temporal/cli';
import { bundleWorkflows } from '@/temporal/worker';
import type { Actor, DepartmentRef, ProcessWorkflowInput } from '@/workflows/process/definitions';
import { durationMs } from '@/workflows/process/steps';
import { CUSTOM_SEARCH_ATTRIBUTES } from '@/workflows/search-attributes';

/**
 * The test environment of workflow timing tests. Temporal's time-skipping test server when TEMPORAL_TEST_SERVER names
 * its executable (it cannot be downloaded on the build machines); otherwise the test stack's dev server
 * (TEMPORAL_ADDRESS), or a dev server of its own from the Temporal CLI: there timers run in real time, so the
 * definitions under test use delays of seconds, and tests wait for what they observe, never for a fixed time.
 */
export async function createWorkflowTestEnv(): Promise<TestWorkflowEnvironment> {
  const testServer = process.env.TEMPORAL_TEST_SERVER;
  if (testServer) return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } });
  if (process.env.TEMPORAL_ADDRESS) return TestWorkflowEnvironment.createFromExistingServer({ address: process.env.TEMPORAL_ADDRESS });
  const cli = await ensureTemporalCli(() => undefined);
  return TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: cli }, searchAttributes: CUSTOM_SEARCH_ATTRIBUTES } });
}

/** The tenant id for which the fake payment activities answer that the tenant takes no payment online. */
export const OFFLINE_TENANT = 'tenant-offline';
/** The tenant id for which one payment's window (1 s) is shorter than the step's timeout. */
export const SHORT_WINDOW_TENANT = 'tenant-short-window';

/** One activity call a run made. */
export interface ActivityCall {
  name: string;
  args: Record<string, unknown>;
}

/** Activities that record their calls by request id and answer as the real ones would, without side effects. */
export function fakeProcessActivities() {
  const calls = new Map<string, ActivityCall[]>();
  const log = (name: string, args: Record<string, unknown>) => {
    const key = String(args.requestId ?? args.tenantId);
    const list = calls.get(key) ?? [];
    list.push({ name, args });
    calls.set(key, list);
  };
  // The provider's answer per request: paid unless a test says otherwise; a window that closes unpaid expires.
  const paymentStates = new Map<string, 'paid' | 'pending' | 'refused' | 'abandoned'>();
  const paymentRequests = new Map<string, string>();
  const paymentStatus = (args: { key: string }, expiring: boolean) => {
    const requestId = paymentRequests.get(args.key) ?? '';
    const state = paymentStates.get(requestId) ?? 'paid';
    const ended = state === 'pending' && expiring ? 'expired' : state;
    return { state: ended, final: ended !== 'pending', amount: 1_500, providerId: `idop-${args.key}` };
  };
  const activities = {
    async startPayment(args: { requestId: string; key: string; amount?: number; expiresInMs: number; label: string }) {
      log('startPayment', args as unknown as Record<string, unknown>);
      paymentRequests.set(args.key, args.requestId);
      const amount = args.amount ?? 1_500;
      // A tenant without online payment, as the real activity answers it.
      if ((args as { tenantId?: string }).tenantId === OFFLINE_TENANT) return { kind: 'offline', amount };
      // A tenant whose payment pages last one second, shorter than the step.
      const windowMs = (args as { tenantId?: string }).tenantId === SHORT_WINDOW_TENANT ? Math.min(1_000, args.expiresInMs) : args.expiresInMs;
      return { kind: 'created', key: args.key, providerId: `idop-${args.key}`, paymentUrl: `https://payfip.test/p?idop=${args.key}`, amount, reference: 'REF000001P01', expiresAt: new Date(Date.now() + windowMs).toISOString() };
    },
    async checkPayment(args: { tenantId: string; key: string }) {
      log('checkPayment', { ...args, requestId: paymentRequests.get(args.key) });
      return paymentStatus(args, false);
    },
    async expireUnpaid(args: { tenantId: string; key: string }) {
      log('expireUnpaid', { ...args, requestId: paymentRequests.get(args.key) });
      return paymentStatus(args, true);
    },
    async recordRequestEvent(args: Record<string, unknown>) {
      log('recordRequestEvent', args);
      return true;
    },
    async notifyCitizen(args: Record<string, unknown>) {
      log('notifyCitizen', args);
      return { sent: 1, skipped: 0 };
    },
    async notifyStaff(args: Record<string, unknown>) {
      log('notifyStaff', args);
      return { sent: 1, skipped: 0 };
    },
    async renderCertificate(args: Record<string, unknown>) {
      log('renderCertificate', args);
      return { documentId: `doc-${String(args.idempotencyKey)}`, created: true };
    },
    async renderAnswerLetter(args: Record<string, unknown>) {
      log('renderAnswerLetter', args);
      return { documentId: `letter-${String(args.idempotencyKey)}`, created: true };
    },
    async renderPaymentReceipt(args: Record<string, unknown>) {
      log('renderPaymentReceipt', args);
      return { documentId: `receipt-${String(args.idempotencyKey)}`, created: true, amount: '150,00 €', product: 'Caution de la salle' };
    },
    async renderAcknowledgement(args: Record<string, unknown>) {
      log('renderAcknowledgement', args);
      return { documentId: `ack-${String(args.idempotencyKey)}`, created: true };
    },
    async exportRegistration(args: Record<string, unknown>) {
      log('exportRegistration', args);
      return { connector: 'webhook', target: 'test', status: 'exported' };
    },
    // Elapsed time for both kinds of days: the calendar's own rules are tested with the domain.
    async stepDeadline(args: { tenantId: string; from: string; delay: string; businessDays: boolean }) {
      log('stepDeadline', args as unknown as Record<string, unknown>);
      return { from: args.from, dueAt: new Date(Date.parse(args.from) + durationMs(args.delay)).toISOString() };
    },
  };
  return {
    activities,
    /** What the fake provider answers for a request's payment from now on (default: paid). */
    setPaymentState: (requestId: string, state: 'paid' | 'pending' | 'refused' | 'abandoned') => paymentStates.set(requestId, state),
    /** The calls a request's run made, in order. */
    callsOf: (requestId: string) => calls.get(requestId) ?? [],
    /** The event types a request's run recorded, in order. */
    eventsOf: (requestId: string) => (calls.get(requestId) ?? []).filter((c) => c.name === 'recordRequestEvent').map((c) => c.args as { type: string; state: string; data: Record<string, unknown> }),
  };
}

/** A worker of the process workflow on its own task queue, with fake activities; stop it with `stop()`. */
export async function startProcessWorker(env: TestWorkflowEnvironment, bundle: WorkflowBundleWithSourceMap, activities: object) {
  const taskQueue = `process-test-${randomUUID()}`;
  // Workflow threads and deadlock detection as in production: a workflow that spins fails its task instead of hanging.
  const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, workflowBundle: bundle, activities });
  const running = worker.run();
  return {
    taskQueue,
    stop: async () => {
      worker.shutdown();
      await running;
    },
  };
}

export { bundleWorkflows, TestWorkflowEnvironment };

/** The departments of the test input. */
export const DEPARTMENTS: Record<string, DepartmentRef> = {
  accueil: { id: 'dep-accueil', slug: 'accueil' },
  voirie: { id: 'dep-voirie', slug: 'voirie' },
  'etat-civil': { id: 'dep-etat-civil', slug: 'etat-civil' },
};

/** Agents of the test input: an agent of each department, a validator of `accueil`, an administrator. */
export const ACTORS = {
  agent: { agentId: 'agent-accueil', name: 'Agent Accueil', email: 'agent@mairie.test', departmentIds: ['dep-accueil'], validatorOf: [], isAdmin: false },
  voirie: { agentId: 'agent-voirie', name: 'Agent Voirie', email: 'voirie@mairie.test', departmentIds: ['dep-voirie'], validatorOf: [], isAdmin: false },
  validator: { agentId: 'valideur-accueil', name: 'Valideur', email: 'valideur@mairie.test', departmentIds: ['dep-accueil'], validatorOf: ['dep-accueil'], isAdmin: false },
  director: { agentId: 'dgs', name: 'Directrice générale', email: 'dgs@mairie.test', departmentIds: ['dep-accueil'], validatorOf: [], isAdmin: false },
  admin: { agentId: 'admin', name: 'Admin', email: 'admin@mairie.test', departmentIds: [], validatorOf: [], isAdmin: true },
} satisfies Record<string, Actor>;

/** A workflow input running `definition`, received now, due after `dueInMs`. */
export function processInput(definition: ProcessDefinition, overrides: Partial<ProcessWorkflowInput> & { dueInMs?: number } = {}): ProcessWorkflowInput {
  const { dueInMs = 3_600_000, ...rest } = overrides;
  const receivedAt = new Date();
  const requestId = randomUUID();
  return {
    tenantId: 'tenant-test',
    tenantSlug: 'test',
    requestId,
    reference: `2026-${requestId.slice(0, 6)}`,
    trackingCode: 'AAAA-BBBB-CCCC-DDDD-EEEE',
    receivedAt: receivedAt.toISOString(),
    dueAt: new Date(receivedAt.getTime() + dueInMs).toISOString(),
    department: DEPARTMENTS.accueil,
    validationRequired: false,
    stopClockWhileAwaitingCitizen: true,
    citizenNotifications: [],
    escalation: [],
    autoCloseAfterMs: 3_600_000,
    kind: definition.kind,
    replyChannel: 'email',
    process: { slug: definition.slug, version: 1, definition },
    departments: DEPARTMENTS,
    formData: {},
    citizen: { name: 'Camille Martin', email: 'camille@example.test' },
    channel: 'form',
    ...rest,
  };
}

/** Polls until `check` passes (a query, a recorded call): the run moves on its own, tests wait for what they see. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** How many updates a run accepted into its history. */
export async function acceptedUpdates(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

/** Replays a run's history against the workflow bundle: rejects on any non-determinism. */
export async function replayHistory(bundle: WorkflowBundleWithSourceMap, history: unknown, workflowId: string): Promise<void> {
  try {
    await Worker.runReplayHistory({ workflowBundle: bundle, replayName: workflowId }, history, workflowId);
  } catch (error) {
    // Kept for whoever reads the failure: the history that did not replay.
    const file = path.join(os.tmpdir(), `replay-${workflowId.replaceAll(':', '-')}.json`);
    await fs.writeFile(file, JSON.stringify(history, null, 1));
    throw new Error(`${(error as Error).message} (history in ${file})`, { cause: error });
  }
}
