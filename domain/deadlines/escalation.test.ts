import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ESCALATION_CASCADE,
  InvalidCascadeError,
  isOverdue,
  planEscalation,
  shiftPlan,
  validateCascade,
  type EscalationStep,
  type PlannedEscalation,
} from './escalation';

function fireTimes(plan: PlannedEscalation[]): string[] {
  return plan.map((step) => step.fireAt.toISOString());
}

function utc(instant: string): string {
  return new Date(instant).toISOString();
}

// Received Monday 2 March 2026 at 10:00 with 8 business days: due Thursday 12 March at 10:00 (240 h later).
const receivedAt = '2026-03-02T10:00:00+01:00';
const dueAt = '2026-03-12T10:00:00+01:00';

describe('planEscalation', () => {
  it('plans the default cascade at 66 %, 100 % and 150 % of an 8-business-day delay', () => {
    const plan = planEscalation({ receivedAt, dueAt, cascade: DEFAULT_ESCALATION_CASCADE });
    expect(plan.map(({ stepIndex, percent, recipients }) => ({ stepIndex, percent, recipients }))).toEqual([
      { stepIndex: 0, percent: 66, recipients: ['department'] },
      { stepIndex: 1, percent: 100, recipients: ['head'] },
      { stepIndex: 2, percent: 150, recipients: ['administrators'] },
    ]);
    // 66 % of 240 h = 158.4 h = 6 d 14 h 24 min; 150 % = 360 h = 15 d.
    expect(fireTimes(plan)).toEqual([
      utc('2026-03-09T00:24:00.000+01:00'),
      utc('2026-03-12T10:00:00.000+01:00'),
      utc('2026-03-17T10:00:00.000+01:00'),
    ]);
  });

  it('plans a custom cascade with an e-mail recipient', () => {
    const cascade: EscalationStep[] = [
      { percent: 25, recipients: ['department'] },
      { percent: 75, recipients: ['head', { email: 'dgs@mairie-exemple.fr' }] },
      { percent: 200, recipients: ['administrators'] },
    ];
    const plan = planEscalation({ receivedAt, dueAt, cascade });
    // 25 % = 60 h, 75 % = 180 h = 7 d 12 h, 200 % = 480 h = 20 d.
    expect(fireTimes(plan)).toEqual([
      utc('2026-03-04T22:00:00.000+01:00'),
      utc('2026-03-09T22:00:00.000+01:00'),
      utc('2026-03-22T10:00:00.000+01:00'),
    ]);
    expect(plan[1].recipients).toEqual(['head', { email: 'dgs@mairie-exemple.fr' }]);
  });

  it('splits the span in elapsed time across a DST change', () => {
    // 25 March 10:00 +01:00 to 2 April 10:00 +02:00 is 191 h; half is 95.5 h.
    const plan = planEscalation({
      receivedAt: '2026-03-25T10:00:00+01:00',
      dueAt: '2026-04-02T10:00:00+02:00',
      cascade: [{ percent: 50, recipients: ['department'] }],
    });
    expect(fireTimes(plan)).toEqual([utc('2026-03-29T10:30:00.000+02:00')]);
  });

  it('plans second-level delays for tests', () => {
    const plan = planEscalation({
      receivedAt: '2026-03-07T10:00:00.000Z',
      dueAt: '2026-03-07T10:00:30.000Z',
      cascade: DEFAULT_ESCALATION_CASCADE,
    });
    expect(fireTimes(plan)).toEqual(['2026-03-07T10:00:19.800Z', '2026-03-07T10:00:30.000Z', '2026-03-07T10:00:45.000Z']);
  });

  it('accepts Date instants and an empty cascade', () => {
    expect(planEscalation({ receivedAt: new Date(receivedAt), dueAt: new Date(dueAt), cascade: [] })).toEqual([]);
  });

  it('refuses an invalid cascade with its issues', () => {
    const cascade: EscalationStep[] = [{ percent: 0, recipients: ['department'] }];
    const error = (() => {
      try {
        planEscalation({ receivedAt, dueAt, cascade });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(InvalidCascadeError);
    expect((error as InvalidCascadeError).issues).toEqual([expect.objectContaining({ index: 0, code: 'percent_invalid' })]);
    expect((error as InvalidCascadeError).message).toMatch(/step 0: percent must be greater than 0/);
  });

  it('refuses a due date that is not after receipt', () => {
    expect(() => planEscalation({ receivedAt, dueAt: receivedAt, cascade: DEFAULT_ESCALATION_CASCADE })).toThrow(
      /dueAt must be after receivedAt/,
    );
  });
});

describe('validateCascade', () => {
  it('accepts the default cascade', () => {
    expect(validateCascade(DEFAULT_ESCALATION_CASCADE)).toEqual([]);
  });

  it('reports every issue with the index of its step', () => {
    const cascade = [
      { percent: 0, recipients: ['department'] },
      { percent: 50, recipients: [] },
      { percent: 50, recipients: ['head'] },
      { percent: 1200, recipients: ['mayor'] },
      { percent: Number.NaN, recipients: [{ email: 'not-an-email' }] },
    ] as unknown as EscalationStep[];
    expect(validateCascade(cascade).map(({ index, code }) => ({ index, code }))).toEqual([
      { index: 0, code: 'percent_invalid' },
      { index: 1, code: 'no_recipient' },
      { index: 2, code: 'percent_not_increasing' },
      { index: 3, code: 'percent_invalid' },
      { index: 3, code: 'recipient_invalid' },
      { index: 4, code: 'percent_invalid' },
      { index: 4, code: 'recipient_invalid' },
    ]);
  });

  it('accepts 1000 % but not more', () => {
    expect(validateCascade([{ percent: 1000, recipients: ['administrators'] }])).toEqual([]);
    expect(validateCascade([{ percent: 1000.5, recipients: ['administrators'] }])).toHaveLength(1);
  });

  it('requires strictly increasing percents', () => {
    const issues = validateCascade([
      { percent: 100, recipients: ['head'] },
      { percent: 66, recipients: ['department'] },
    ]);
    expect(issues).toEqual([{ index: 1, code: 'percent_not_increasing', message: expect.stringContaining('66') }]);
  });
});

describe('shiftPlan', () => {
  const steps = planEscalation({ receivedAt, dueAt, cascade: DEFAULT_ESCALATION_CASCADE });
  const plan = { dueAt: new Date(dueAt), steps };
  const threeDays = 3 * 24 * 60 * 60 * 1000;

  it('moves the due date and the reminders still ahead by the paused duration', () => {
    // Paused on 10 March at noon: the 66 % reminder (9 March 00:24) has already gone out.
    const shifted = shiftPlan(plan, threeDays, '2026-03-10T12:00:00+01:00');
    expect(shifted.dueAt.toISOString()).toBe(utc('2026-03-15T10:00:00.000+01:00'));
    expect(fireTimes(shifted.steps)).toEqual([
      utc('2026-03-09T00:24:00.000+01:00'),
      utc('2026-03-15T10:00:00.000+01:00'),
      utc('2026-03-20T10:00:00.000+01:00'),
    ]);
  });

  it('does not move a due date already reached when the clock stopped', () => {
    const shifted = shiftPlan(plan, threeDays, '2026-03-13T09:00:00+01:00');
    expect(shifted.dueAt.toISOString()).toBe(utc('2026-03-12T10:00:00.000+01:00'));
    expect(fireTimes(shifted.steps)[2]).toBe(utc('2026-03-20T10:00:00.000+01:00'));
  });

  it('leaves the original plan untouched', () => {
    shiftPlan(plan, threeDays, receivedAt);
    expect(plan.dueAt.toISOString()).toBe(utc(dueAt));
    expect(fireTimes(plan.steps)[0]).toBe(utc('2026-03-09T00:24:00.000+01:00'));
  });

  it('refuses a negative or fractional pause', () => {
    expect(() => shiftPlan(plan, -1, receivedAt)).toThrow(RangeError);
    expect(() => shiftPlan(plan, 1.5, receivedAt)).toThrow(/pausedMs/);
  });
});

describe('isOverdue', () => {
  it('is overdue from the due instant on', () => {
    expect(isOverdue(dueAt, '2026-03-12T09:59:59.999+01:00')).toBe(false);
    expect(isOverdue(dueAt, '2026-03-12T10:00:00.000+01:00')).toBe(true);
    expect(isOverdue(new Date(dueAt), new Date('2026-03-13T00:00:00Z'))).toBe(true);
  });
});
