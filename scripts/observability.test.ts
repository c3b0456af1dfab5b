import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevSmsc } from '@/dev/smsc-simulator/dev';
import { freePort } from '@/dev/ports';
import { stopChild } from '@/dev/temporal-dev-server';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant, departmentOf, eventually, testClient } from '@/temporal/testing/fixtures';
import { startWorkerProcess } from '@/temporal/testing/services';
import { metricTotal } from '@/temporal/testing/prometheus';
import { closeTemporalClients } from '@/temporal/client';
import { WEB_SERVER_ARGS, buildWebIfStale, waitForHealth } from '@/scripts/web-build';
import { TEMPORAL_SDK_METRICS } from '@/integrations/observability/worker-metrics';
import { requestWorkflowId } from '@/workflows/request/definitions';

// A web process and a worker of their own (own task queue, own SMSC), so that every count below is theirs alone.
const queue = `relais-observed-${randomUUID().slice(0, 8)}`;
const token = randomBytes(24).toString('hex');
let web: ChildProcess;
let worker: Awaited<ReturnType<typeof startWorkerProcess>>;
let smsc: Awaited<ReturnType<typeof startDevSmsc>>;
let baseUrl: string;
let workerMetricsUrl: string;
const workerLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  smsc = await startDevSmsc();
  const metricsPort = await freePort();
  workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  worker = await startWorkerProcess({ TEMPORAL_TASK_QUEUE: queue, SMPP_URL: smsc.env.SMPP_URL, RELAIS_METRICS_PORT: String(metricsPort) }, { logLevel: 'debug' });
  let partial = '';
  worker.child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith('{')) workerLines.push(JSON.parse(line));
  });
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  buildWebIfStale(() => undefined);
  web = spawn(process.execPath, [...WEB_SERVER_ARGS, '-p', String(port)], {
    env: { ...process.env, TEMPORAL_TASK_QUEUE: queue, RELAIS_METRICS_TOKEN: token, PUBLIC_URL: baseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForHealth(`${baseUrl}/api/health`, { requireGreen: false });
}, 300_000);

afterAll(async () => {
  if (web) await stopChild(web);
  await worker?.stop();
  await smsc?.stop();
  await closeTemporalClients();
  await closeAllORMs();
});

async function scrapeWeb(): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return response.text();
}

async function scrapeWorker(): Promise<string> {
  const response = await fetch(workerMetricsUrl);
  expect(response.status).toBe(200);
  return response.text();
}

function postRequest(tenant: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}/api/v1/t/${tenant}/requests`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('metrics of a web process', () => {
  it('counts filed requests per channel and tenant, latency per route template and 4xx, behind the bearer token', async () => {
    const tenant = await createTestTenant();
    const route = '/api/v1/t/[tenant]/requests';
    const before = await scrapeWeb();
    const workflowIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const filed = await postRequest(tenant.slug, { topic: 'question', subject: `Question ${i}`, message: 'Bonjour.', contact: { email: `c${i}-${tenant.slug}@exemple.fr` } });
      expect(filed.status).toBe(201);
      workflowIds.push(requestWorkflowId(tenant.slug, ((await filed.json()) as { reference: string }).reference));
    }
    expect((await postRequest(tenant.slug, { topic: 'question', subject: 'x', message: '', contact: {} })).status).toBe(400);
    expect((await postRequest('commune-inconnue', { topic: 'question', subject: 'Bonjour', message: 'Bonjour.', contact: { email: 'a@exemple.fr' } })).status).toBe(404);

    // A response is counted once written out, which may be just after the client has read it.
    const after = await eventually(async () => {
      const text = await scrapeWeb();
      const moved = (name: string, labels: Record<string, string>) => metricTotal(text, name, labels) - metricTotal(before, name, labels);
      expect(moved('relais_requests_filed_total', { channel: 'web', tenant: tenant.slug })).toBe(2);
      expect(moved('relais_http_responses_total', { method: 'POST', route, status_class: '2xx' })).toBe(2);
      expect(moved('relais_http_responses_total', { method: 'POST', route, status_class: '4xx' })).toBe(2);
      expect(moved('relais_http_request_duration_seconds_count', { method: 'POST', route })).toBe(4);
      return text;
    }, 5_000, 50);
    // Raw paths never become labels: the tenant slug appears in the filed counter only.
    expect(after).not.toMatch(new RegExp(`route="[^"]*${tenant.slug}`));
    expect(metricTotal(after, 'nodejs_eventloop_lag_seconds', { process_kind: 'web' })).toBeGreaterThanOrEqual(0);
    expect(after).toContain('nodejs_eventloop_lag_seconds{process_kind="web"}');

    expect((await fetch(`${baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    // Their acknowledgements are done before the next test counts the worker's notifications.
    await eventually(async () => {
      const done = workerLines.filter((line) => line.msg === 'activity completed' && line.activityType === 'notifyCitizen' && workflowIds.includes(line.workflowId as string));
      expect(done).toHaveLength(2);
    }, 30_000, 100);
  });
});

describe('metrics of a worker', () => {
  it('counts activities, notifications, SMS, receipt lag and reminders, beside the Temporal SDK metrics', async () => {
    const before = await scrapeWorker();
    // Reminders at 66 % of a six-second delay.
    const tenant = await createTestTenant({ delay: 'PT6S', escalation: [{ percent: 66, recipients: ['department'] }] });
    const byMail = await postRequest(tenant.slug, { topic: 'question', subject: 'Par courriel', message: 'Bonjour.', contact: { email: `m-${tenant.slug}@exemple.fr` } });
    const bySms = await postRequest(tenant.slug, { topic: 'question', subject: 'Par SMS', message: 'Bonjour.', channel: 'sms', contact: { phone: '+33612345678' } });
    expect([byMail.status, bySms.status]).toEqual([201, 201]);

    // A workflow whose request does not exist: its acknowledgement fails for good (UnknownRequest).
    const department = await departmentOf(tenant.slug, 'accueil');
    const client = await testClient();
    const ghost = `2099-${String(Date.now() % 1_000_000).padStart(6, '0')}`;
    await client.workflow.start('requestWorkflow', {
      taskQueue: queue,
      workflowId: requestWorkflowId(tenant.slug, ghost),
      args: [
        {
          tenantId: await tenantId(tenant.slug),
          tenantSlug: tenant.slug,
          requestId: randomUUID(),
          reference: ghost,
          trackingCode: 'AAAA-AAAA-AAAA-AAAA-AAAA',
          receivedAt: new Date().toISOString(),
          dueAt: new Date(Date.now() + 3_600_000).toISOString(),
          department: { id: department.id, slug: department.slug },
          validationRequired: false,
          stopClockWhileAwaitingCitizen: false,
          citizenNotifications: [],
          escalation: [],
          autoCloseAfterMs: 3_600_000,
          kind: 'question',
          replyChannel: 'email',
        },
      ],
    });

    let last = '';
    const after = await eventually(async () => {
      const text = await scrapeWorker();
      last = text;
      const moved = (name: string, labels: Record<string, string> = {}) => metricTotal(text, name, labels) - metricTotal(before, name, labels);
      expect(moved('relais_notifications_sent_total', { channel: 'email', template: 'acknowledgement' })).toBe(1);
      expect(moved('relais_notifications_sent_total', { channel: 'sms', template: 'acknowledgement' })).toBe(1);
      expect(moved('relais_sms_sent_total')).toBe(1);
      expect(moved('relais_sms_segments_sent_total')).toBe(1);
      expect(moved('relais_sms_receipt_lag_seconds_count', { status: 'delivered' })).toBe(1);
      // A reminder per request to the department's staff, its e-mails counted as notifications too.
      expect(moved('relais_reminders_sent_total')).toBeGreaterThanOrEqual(2);
      expect(moved('relais_notifications_sent_total', { channel: 'email', template: 'reminder' })).toBe(moved('relais_reminders_sent_total'));
      expect(moved('relais_activity_duration_seconds_count', { activity_type: 'notifyCitizen', outcome: 'completed' })).toBe(2);
      expect(moved('relais_activity_failures_total', { activity_type: 'notifyCitizen' })).toBeGreaterThanOrEqual(1);
      expect(moved('relais_activity_duration_seconds_count', { activity_type: 'notifyCitizen', outcome: 'failed' })).toBeGreaterThanOrEqual(1);
      return text;
    }, 45_000, 300).catch((error: unknown) => {
      console.log(last.split('\n').filter((line) => /^(relais|temporal_activity|temporal_worker_task_slots)/.test(line)).join('\n'));
      throw error;
    });
    // The Temporal SDK's own metrics come in the same scrape.
    expect(metricTotal(after, 'temporal_worker_task_slots_available', { task_queue: queue })).toBeGreaterThan(0);
    expect(metricTotal(after, 'temporal_activity_execution_latency_count', { task_queue: queue })).toBeGreaterThan(0);
    // The backlog of the worker's task queue, read from Temporal at the scrape.
    for (const type of ['workflow', 'activity']) expect(after).toMatch(new RegExp(`^relais_task_queue_backlog\\{task_queue="${queue}",task_type="${type}"[^}]*\\} \\d+$`, 'm'));
    // Every SDK metric the Grafana dashboard reads is there.
    for (const name of TEMPORAL_SDK_METRICS) expect(after, name).toMatch(new RegExp(`^${name}(_count)?\\{`, 'm'));
  }, 90_000);
});

async function tenantId(slug: string): Promise<string> {
  const orm = await initORM(env().DATABASE_URL!);
  const [row] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [slug]);
  return row.id;
}

describe('one request id from the HTTP request to the activities', () => {
  it('carries the id given to the web server into every log line of the activities its workflow runs', async () => {
    const tenant = await createTestTenant();
    const requestId = `it-${randomUUID()}`;
    const response = await postRequest(tenant.slug, { topic: 'question', subject: 'Suivi', message: 'Bonjour.', contact: { email: `r-${tenant.slug}@exemple.fr` } }, { 'x-request-id': requestId });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const { reference } = (await response.json()) as { reference: string };
    const workflowId = requestWorkflowId(tenant.slug, reference);

    // The arrival: the projection of "received", the acknowledgement and the department's notice.
    const lines = await eventually(async () => {
      const ours = workerLines.filter((line) => line.workflowId === workflowId);
      const completed = new Set(ours.filter((line) => line.msg === 'activity completed').map((line) => line.activityType));
      expect([...completed].sort()).toEqual(expect.arrayContaining(['notifyCitizen', 'notifyStaff', 'recordRequestEvent']));
      return ours;
    }, 30_000, 100);
    for (const line of lines) expect(line, JSON.stringify(line)).toMatchObject({ requestId });

    // An id a client made up badly is replaced, not trusted.
    const odd = await fetch(`${baseUrl}/api/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
