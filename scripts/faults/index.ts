import { randomBytes } from 'node:crypto';
import { closeAllORMs } from '@/domain/orm';
import { closeTemporalClients } from '@/temporal/client';
import { eventually } from '@/temporal/testing/fixtures';
import { liftDemoLimits, startStack, type Stack } from '@/temporal/testing/stack';
import { webProcessIds } from '../cluster/web-processes';
import { Agent, CitizenLoad, type Filing } from './load';
import { isSettled, pendingStarts, received, storedRequests, type Received, type StoredRequest } from './ledger';

// The issue's load: 20 requests a second, one in ten acknowledged by SMS, an agent answering meanwhile.
const RATE = Number(process.env.FAULTS_RATE ?? 20);
const PHASE_MS = Number(process.env.FAULTS_PHASE_S ?? 30) * 1000;
const OUTAGE_MS = Number(process.env.FAULTS_OUTAGE_S ?? 10) * 1000;
const SETTLE_TIMEOUT_MS = Number(process.env.FAULTS_SETTLE_S ?? 900) * 1000;
const ANSWERS_PER_PHASE = 20;
// FAULTS_ONLY=web,postgres: the baseline and the faults whose key is listed (worker, temporal, postgres, web).
const ONLY = process.env.FAULTS_ONLY?.split(',').map((key) => key.trim());
const SMS_EVERY = 10;

/** One fault: `begin` takes a part down and returns how the outage ends. */
interface Fault {
  key: string;
  name: string;
  /** The load alone, to compare the faults with. */
  baseline?: boolean;
  /** Whether citizens may see their connection cut (the process that held it died) rather than a 503. */
  cutsConnections?: boolean;
  begin(stack: Stack): Promise<() => Promise<void>>;
}

const FAULTS: Fault[] = [
  { key: 'none', name: 'none (baseline)', baseline: true, begin: async () => async () => undefined },
  {
    key: 'worker',
    name: 'kill -9 one worker',
    begin: async (stack) => {
      // The last worker: the first one holds the inbound SMTP listener, which this load does not use.
      const victim = stack.workers.at(-1)!;
      victim.child.kill('SIGKILL');
      await new Promise((resolve) => victim.child.once('exit', resolve));
      // What start:cluster's supervisor does: the same worker, started again.
      return async () => void (await stack.addWorker());
    },
  },
  { key: 'temporal', name: 'restart the Temporal server', begin: (stack) => outage(stack.interruptible.temporal) },
  { key: 'postgres', name: 'restart PostgreSQL', begin: (stack) => outage(stack.interruptible.database) },
  {
    key: 'web',
    name: 'kill -9 one web process',
    cutsConnections: true,
    begin: async (stack) => {
      const before = webProcesses(stack);
      process.kill(before[0], 'SIGKILL');
      // The cluster's primary starts another; the outage ends when the new one serves.
      return () =>
        eventually(async () => {
          if (webProcesses(stack).every((pid) => before.includes(pid))) throw new Error('The cluster primary started no new web process within a minute.');
        }, 60_000, 500);
    },
  },
];

async function outage(part: { down(): Promise<void>; up(): Promise<void> } | undefined): Promise<() => Promise<void>> {
  if (!part) throw new Error('This part of the stack cannot be restarted in place (PostgreSQL must be the embedded server: unset DATABASE_URL).');
  await part.down();
  return () => part.up();
}

const webProcesses = (stack: Stack): number[] => webProcessIds(stack.web!.pid!);

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one phase did: the citizens' filings and the requests the agent answered. */
interface Phase {
  fault: Fault;
  filings: Filing[];
  /** Requests of the previous phase the agent answered, by reference. */
  answered: Map<string, Filing>;
  /** Those it could not answer, with the last status it got. */
  unanswerable: Map<string, { filing: Filing; status: number }>;
  /** After the last request was sent: when every citizen had an answer, when the agent was done, when everything was settled (ms). */
  after: { citizens: number; agent: number; settled: number };
  /** When the fault struck and when the part was back (epoch ms). */
  faultAt: number;
  backAt: number;
}

/** The stack under test and the run's id, which every subject carries. */
interface Run {
  stack: Stack;
  id: string;
}

/** One check of the run: a name, what was counted, and whether it passed. */
interface Check {
  phase: string;
  name: string;
  ok: boolean;
  detail: string;
}

async function main(): Promise<void> {
  const runId = randomBytes(3).toString('hex');
  console.log(`[faults] run ${runId}: ${RATE} requests/s for ${PHASE_MS / 1000} s per fault, each outage ${OUTAGE_MS / 1000} s`);
  // The fault test restarts PostgreSQL itself: the embedded server, never a server of the machine's.
  delete process.env.DATABASE_URL;
  const stack = await startStack({
    prefix: 'relais-faults-',
    workers: 2,
    temporalCluster: true,
    web: { host: '127.0.0.1', quiet: true, processes: 2 },
    log: (line) => console.log(`[stack] ${line}`),
  });
  const checks: Check[] = [];
  try {
    await liftDemoLimits(stack.env.DATABASE_URL);
    const baseUrl = stack.baseUrl!;
    const citizens = new CitizenLoad(baseUrl, runId, SMS_EVERY);
    const agent = await Agent.login(baseUrl, 'accueil@ville-demo.fr', 'demo-agent-2026');
    const run: Run = { stack, id: runId };
    let previous: Filing[] = [];
    for (const fault of FAULTS.filter((f) => f.baseline || !ONLY || ONLY.includes(f.key))) {
      const phase = await runPhase(run, fault, citizens, agent, previous);
      const stored = await storedRequests(stack.env.DATABASE_URL, runId);
      const outside = await received(stack.env.MAIL_SINK_URL, phase.filings.flatMap((f) => (f.phone ? [f.phone] : [])));
      checks.push(...checkPhase(phase, stored, outside, await pendingStarts(stack.env.DATABASE_URL)));
      previous = phase.filings.filter((f) => f.status === 201 && f.email);
    }
  } finally {
    await closeTemporalClients();
    await closeAllORMs();
    await stack.stop();
  }
  console.log('');
  for (const check of checks) console.log(`${check.ok ? 'pass' : 'FAIL'}  ${check.phase.padEnd(28)} ${check.name.padEnd(44)} ${check.detail}`);
  const failed = checks.filter((c) => !c.ok).length;
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

/** Load for the phase's time, the fault a third of the way in, the agent answering the previous phase's requests; then waits until everything is settled. */
async function runPhase(run: Run, fault: Fault, citizens: CitizenLoad, agent: Agent, previous: Filing[]): Promise<Phase> {
  console.log(`[faults] ${fault.name}: load starts`);
  const loadEndsAt = Date.now() + PHASE_MS;
  const since = () => Date.now() - loadEndsAt;
  const filed = citizens.run(fault.name, RATE, PHASE_MS).then((filings) => ({ filings, at: since() }));
  const answers = answerDuring(agent, previous.slice(0, ANSWERS_PER_PHASE), PHASE_MS);
  await sleep(PHASE_MS / 3);
  const faultAt = Date.now();
  const end = await fault.begin(run.stack);
  await sleep(OUTAGE_MS);
  await end();
  const backAt = Date.now();
  const phase: Phase = { fault, ...(await answers), faultAt, backAt, filings: [], after: { citizens: 0, agent: 0, settled: 0 } };
  await retryAnswers(agent, phase);
  phase.after.agent = since();
  const { filings, at } = await filed;
  phase.filings = filings;
  phase.after.citizens = at;
  await settle(run, phase);
  phase.after.settled = since();
  return phase;
}

/** Answers each request in turn, spread over the phase; an answer refused by the outage is tried again after it. */
async function answerDuring(agent: Agent, requests: Filing[], durationMs: number): Promise<Pick<Phase, 'answered' | 'unanswerable'>> {
  const answered: Phase['answered'] = new Map();
  const unanswerable: Phase['unanswerable'] = new Map();
  for (const filing of requests) {
    const status = await agent.answer(filing.reference!);
    if (status === 200) answered.set(filing.reference!, filing);
    else unanswerable.set(filing.reference!, { filing, status });
    await sleep(durationMs / (requests.length + 1));
  }
  return { answered, unanswerable };
}

/**
 * After the outage, the agent tries again what it could not answer during it. A 409 there means the earlier attempt was
 * carried out although its answer never came back: the request counts as answered, and must have one answer e-mail.
 */
async function retryAnswers(agent: Agent, phase: Phase): Promise<void> {
  for (const [reference, { filing, status: first }] of phase.unanswerable) {
    for (let attempt = 0; attempt < 30; attempt++) {
      const status = await agent.answer(reference);
      if (status === 200 || (status === 409 && (first === 0 || first >= 500))) {
        phase.answered.set(reference, filing);
        phase.unanswerable.delete(reference);
        break;
      }
      phase.unanswerable.set(reference, { filing, status });
      if (status !== 0 && status < 500) break;
      await sleep(2_000);
    }
  }
}

/** Waits until every stored request of the phase has its acknowledgement (and answer) sent or given up, and no start is owed. */
async function settle(run: Run, phase: Phase): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let lastReport = Date.now();
  for (;;) {
    const waiting = await unsettled(run, phase).catch(() => Number.NaN);
    if (waiting === 0 || Date.now() > deadline) return;
    if (Date.now() - lastReport > 30_000) {
      console.log(`[faults] ${phase.fault.name}: ${Number.isNaN(waiting) ? 'database not answering yet' : `${waiting} requests not settled yet`}`);
      lastReport = Date.now();
    }
    await sleep(2_000);
  }
}

async function unsettled(run: Run, phase: Phase): Promise<number> {
  const stored = await storedRequests(run.stack.env.DATABASE_URL, run.id);
  const owed = await pendingStarts(run.stack.env.DATABASE_URL);
  const missing = phase.filings.filter((f) => f.status === 201 && !stored.has(f.subject)).length;
  const acks = phase.filings.filter((f) => stored.has(f.subject) && !isSettled(stored.get(f.subject)!.acknowledgement)).length;
  const answers = [...phase.answered.values()].filter((f) => !isSettled(stored.get(f.subject)?.answer)).length;
  return missing + acks + answers + owed;
}

/** The phase's checks, from the database, the SMTP sink and the SMSC simulator. */
function checkPhase(phase: Phase, stored: Map<string, StoredRequest>, outside: Received, owed: number): Check[] {
  const created = phase.filings.filter((f) => f.status === 201);
  const refused = phase.filings.filter((f) => f.status !== 201);
  // A 201 whose body was cut (its process killed between the status and the body) has no reference: found by subject.
  const lost = created.filter((f) => !stored.has(f.subject) || (f.reference !== undefined && stored.get(f.subject)!.reference !== f.reference));
  const bodiless = created.filter((f) => f.reference === undefined).length;
  const badRefusals = refused.filter((f) => !(f.status === 503 || (f.status === 0 && phase.fault.cutsConnections)));
  const storedAnyway = refused.filter((f) => stored.has(f.subject));
  const acks = acknowledgements(phase.filings, stored, outside);
  // This phase's requests wait for an agent; the agent answers them during the next phase.
  const notReceived = phase.filings.filter((f) => stored.has(f.subject) && stored.get(f.subject)!.state !== 'received');
  const answers = [...phase.answered.values()].map((f) => ({ reference: f.reference!, state: stored.get(f.subject)?.state, notification: stored.get(f.subject)?.answer, mails: outside.answers.get(f.email!) ?? 0 }));
  const answeredOnce = answers.filter((a) => a.state === 'answered' && a.mails === 1).length;
  const badAnswers = [
    ...answers.filter((a) => !(a.state === 'answered' && a.mails === 1)).map((a) => `${a.reference} ${a.state}, answer e-mail ${a.notification ?? 'not recorded'}, ${a.mails} in the sink`),
    ...[...phase.unanswerable].map(([reference, { status }]) => `${reference} refused to the agent (${status || 'cut'})`),
  ];

  const sinceFault = (f: Filing) => ((f.sentAt - phase.faultAt) / 1000).toFixed(1);
  const window = refused.length ? `, refused from +${sinceFault(refused[0])} s to +${sinceFault(refused.at(-1)!)} s` : '';
  const statuses = Object.entries(countBy(phase.filings.map((f) => (f.status === 0 ? 'cut' : String(f.status))))).map(([status, n]) => `${status}×${n}`).join(', ');
  console.log(
    `[faults] ${phase.fault.name}: ${phase.fault.baseline ? '' : `back ${((phase.backAt - phase.faultAt) / 1000).toFixed(1)} s after the fault; `}${phase.filings.length} filed (${statuses}${window}); ` +
      `${created.length - lost.length}/${created.length} created stored, ` +
      `${storedAnyway.length} refused yet stored; e-mail acknowledgements once ${acks.once}, uncertain ${acks.uncertain}, twice ${acks.twice}, missing ${acks.missing}; ` +
      `SMS acknowledgements once ${acks.smsOnce}, none ${acks.smsNone}, twice ${acks.smsTwice}; ` +
      `answers ${answeredOnce}/${phase.answered.size + phase.unanswerable.size} answered with one e-mail; longest wait for an answer ${seconds(Math.max(...phase.filings.map((f) => f.waitedMs)))} (a cut after ${seconds(Math.max(0, ...refused.filter((f) => f.status === 0).map((f) => f.waitedMs)))}); after the last request, every citizen answered ${seconds(phase.after.citizens)}, the agent done ${seconds(phase.after.agent)}, all settled ${seconds(phase.after.settled)}`,
  );
  const check = (name: string, ok: boolean, detail: string): Check => ({ phase: phase.fault.name, name, ok, detail });
  return [
    check(
      'every 201 is stored',
      lost.length === 0,
      `${created.length - lost.length}/${created.length}${bodiless ? `, ${bodiless} without a body` : ''}${lost.length ? `; lost: ${lost.map((f) => `${f.subject} (${f.reference ?? 'no reference'} → ${stored.get(f.subject)?.reference ?? 'not stored'})`).join(', ')}` : ''}`,
    ),
    check('refusals are 503 (cut only if a web process dies)', badRefusals.length === 0, statuses),
    check('e-mail acknowledgement exactly once', acks.twice === 0 && acks.missing === 0, `once ${acks.once}, uncertain ${acks.uncertain}, twice ${acks.twice}, missing ${acks.missing}`),
    check('at most one SMS per acknowledgement', acks.smsTwice === 0, `once ${acks.smsOnce}, none ${acks.smsNone}, twice ${acks.smsTwice}`),
    check('unanswered requests stay received', notReceived.length === 0, `${notReceived.length} in another state`),
    check('answers: answered, one e-mail each', badAnswers.length === 0, `${answeredOnce}/${answers.length + phase.unanswerable.size}${badAnswers.length ? `; ${badAnswers.join('; ')}` : ''}`),
    check('no workflow start owed', owed === 0, `${owed} owed`),
  ];
}

/** How many acknowledgements each stored request's citizen received, by e-mail at the sink or by SMS at the SMSC. */
function acknowledgements(filings: Filing[], stored: Map<string, StoredRequest>, outside: Received) {
  const counts = { once: 0, uncertain: 0, twice: 0, missing: 0, smsOnce: 0, smsNone: 0, smsTwice: 0 };
  for (const filing of filings) {
    const request = stored.get(filing.subject);
    if (!request) continue;
    if (filing.email) {
      const n = outside.acknowledgements.get(filing.email) ?? 0;
      if (n === 1) counts.once++;
      else if (n > 1) counts.twice++;
      // A send cut off by a kill is recorded uncertain and never repeated (it may or may not have reached the server).
      else if (request.acknowledgement === 'uncertain') counts.uncertain++;
      else counts.missing++;
    } else {
      const n = outside.sms.get(filing.phone!) ?? 0;
      if (n === 1) counts.smsOnce++;
      else if (n > 1) counts.smsTwice++;
      else counts.smsNone++;
    }
  }
  return counts;
}

function countBy(values: string[]): Record<string, number> {
  return values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
