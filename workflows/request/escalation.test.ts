import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import { afterAll, describe, expect, it } from 'vitest';
import { planEscalation } from '@/domain/deadlines/escalation';
import { closeAllORMs } from '@/domain/orm';
import { actorFor, createTestTenant, eventsOf, eventually, fileRequest, requestRow } from '@/temporal/testing/fixtures';
import { citizenEmail, mailTo, waitForMail } from '@/temporal/testing/helpers';
import { keepHistory } from '@/temporal/testing/histories';
import { answerRequestUpdate, snapshotQuery, type RequestWorkflowInput } from './definitions';

afterAll(() => closeAllORMs());

// Real timers on the real server (no time-skipping server runs here). Eight seconds: on a loaded machine the intake
// and the two first e-mails take up to 3-4 s, and the 66 % step must still find its timer to set.
const DELAY = 'PT8S';
const DELAY_MS = 8_000;
const AUTO_CLOSE_MS = 3_600_000;

interface Timer {
  id: string;
  durationMs: number;
  startedAt: number;
}

/** The timers a run started, fired and cancelled, read from its history. */
async function timersOf(handle: WorkflowHandle) {
  const { events } = await handle.fetchHistory();
  const started: Timer[] = [];
  const fired: string[] = [];
  const cancelled: string[] = [];
  for (const event of events ?? []) {
    const start = event.timerStartedEventAttributes;
    if (start) started.push({ id: start.timerId!, durationMs: tsToMs(start.startToFireTimeout), startedAt: tsToMs(event.eventTime) });
    if (event.timerFiredEventAttributes) fired.push(event.timerFiredEventAttributes.timerId!);
    if (event.timerCanceledEventAttributes) cancelled.push(event.timerCanceledEventAttributes.timerId!);
  }
  return { started, fired, cancelled };
}

/** The input the run was started with. */
async function inputOf(handle: WorkflowHandle): Promise<RequestWorkflowInput> {
  const { events } = await handle.fetchHistory();
  const payload = events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  return defaultPayloadConverter.fromPayload<RequestWorkflowInput>(payload);
}

describe('deadline and escalation cascade', () => {
  it('reminds the department once at 66 %, the head at 100 %, and nobody when answered early', async () => {
    const tenant = await createTestTenant({
      delay: DELAY,
      escalation: [
        { percent: 66, recipients: ['department'] },
        { percent: 100, recipients: ['head'] },
      ],
    });
    const late = await fileRequest(tenant.slug, { subject: 'Sans réponse', contact: { email: citizenEmail() } });
    const early = await fileRequest(tenant.slug, { subject: 'Réponse rapide', contact: { email: citizenEmail() } });
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));
    await early.handle.executeUpdate(answerRequestUpdate, { args: [{ actor: agent, body: 'Réponse immédiate.' }] });

    const input = await inputOf(late.handle);
    expect(Date.parse(input.dueAt)).toBe(new Date((await requestRow(tenant.slug, late.receipt.reference)).due_at).getTime());
    expect(Date.parse(input.dueAt) - Date.parse(input.receivedAt)).toBe(DELAY_MS);
    const [at66, at100] = planEscalation({ receivedAt: input.receivedAt, dueAt: input.dueAt, cascade: input.escalation }).map((s) => s.fireAt.getTime());
    const about = (reference: string) => (m: { subject?: string }) => (m.subject ?? '').includes(`Relance : demande ${reference}`);

    const [first] = await waitForMail(tenant.mail('agent'), about(late.receipt.reference));
    expect(first.subject).toContain('l’échéance approche (66 % du délai)');
    expect(first.text).toContain("L'échéance approche");
    expect(Date.parse(first.receivedAt)).toBeGreaterThanOrEqual(at66);
    const headReminders = await waitForMail(tenant.mail('chef'), about(late.receipt.reference), { count: 2 });
    const at100Mail = headReminders.find((m) => m.subject!.includes('(100 % du délai)'))!;
    expect(Date.parse(at100Mail.receivedAt)).toBeGreaterThanOrEqual(at100);
    // At 100 % the reminder no longer reads like the 66 % one: the deadline promised to the citizen has passed.
    expect(at100Mail.subject).toContain('délai dépassé (100 % du délai)');
    expect(at100Mail.text).toContain('Le délai de réponse garanti au citoyen est dépassé depuis le');
    expect(at100Mail.text).not.toContain('approche');
    expect(Date.parse(first.receivedAt)).toBeLessThanOrEqual(Date.parse(at100Mail.receivedAt));

    // The last step is recorded after its e-mail went out: from then on the late request sends no more reminders.
    await eventually(async () => {
      const events = await eventsOf((await requestRow(tenant.slug, late.receipt.reference)).id);
      expect(events.filter((e) => e.type === 'reminder_sent').map((e) => e.data.step)).toEqual([0, 1]);
    });
    // The 66 % step waited on a timer, and no timer fires before its step's time: the server starts it after the workflow
    // computed its duration from its own clock. (A step already due when the one before finishes is sent without one.)
    const lateTimers = await timersOf(late.handle);
    expect(lateTimers.started.length).toBeGreaterThanOrEqual(1);
    expect(lateTimers.started.length).toBeLessThanOrEqual(2);
    lateTimers.started.forEach((timer, index) => expect(timer.startedAt + timer.durationMs).toBeGreaterThanOrEqual([at66, at100][index]));
    expect(lateTimers.fired).toEqual(lateTimers.started.map((t) => t.id));
    expect((await mailTo(tenant.mail('agent'))).filter(about(late.receipt.reference))).toHaveLength(1);
    expect((await mailTo(tenant.mail('chef'))).filter(about(late.receipt.reference)).map((m) => m.subject!.match(/\((\d+) %/)![1]).sort()).toEqual(['100', '66']);
    expect((await mailTo(tenant.mail('admin'))).filter(about(late.receipt.reference))).toHaveLength(0);
    expect((await late.handle.query(snapshotQuery)).remindersSent).toEqual([0, 1]);

    // The answered request waits only for its automatic closing: any deadline timer it had set was cancelled unfired.
    const earlyTimers = await eventually(async () => {
      const timers = await timersOf(early.handle);
      expect(timers.started.map((t) => t.durationMs)).toContain(AUTO_CLOSE_MS);
      return timers;
    });
    expect(earlyTimers.fired).toEqual([]);
    expect(earlyTimers.cancelled).toEqual(earlyTimers.started.filter((t) => t.durationMs !== AUTO_CLOSE_MS).map((t) => t.id));
    for (const address of ['agent', 'chef', 'civil', 'admin']) {
      expect((await mailTo(tenant.mail(address))).filter(about(early.receipt.reference))).toHaveLength(0);
    }
    expect((await early.handle.query(snapshotQuery)).remindersSent).toEqual([]);
    await keepHistory('escalation-66-100', late.handle);
    await keepHistory('answered-before-reminders', early.handle);
  });
});
