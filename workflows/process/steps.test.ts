import { describe, expect, it } from 'vitest';
import type { ProcessStep, RouteStep } from '@/domain/processes/definition';
import { allowedActions, centsOf, durationMs, evaluateExpression, instantOf, routeOf, type ExpressionContext, type StepStatus } from './steps';

const context: ExpressionContext = { data: { age: 8, quartier: 'nord', places: 3 }, citizen: { name: 'Camille' }, channel: 'form', receivedAt: '2026-12-04T09:00:00Z' };
const status: StepStatus = { ended: false, inCharge: false, asked: false, answeredAwaitingClose: false, answerNeedsValidation: false };

describe('process steps', () => {
  it('routes to the first rule that holds, past a rule that fails on the data, else to the step department', () => {
    const step: RouteStep = {
      id: 'orienter',
      label: 'Orientation',
      kind: 'route',
      department: 'accueil',
      rules: [
        { when: 'data.absent == "x"', department: 'jamais' },
        { when: 'data.age >= 6 && data.age <= 12', department: 'enfance' },
        { when: 'true', department: 'autre' },
      ],
      next: 'suite',
    };
    const route = routeOf(step, context);
    expect(route.department).toBe('enfance');
    expect(route.rule).toBe(1);
    expect(route.errors).toHaveLength(1);
    expect(route.errors[0]).toMatch(/^rules\[0\]: /);
    expect(routeOf({ ...step, rules: [{ when: 'data.quartier == "sud"', department: 'sud' }] }, context)).toEqual({ department: 'accueil', errors: [] });
  });

  it('reads amounts, dates and durations without throwing', () => {
    expect(evaluateExpression('int(data.places) * 500', context)).toEqual({ ok: true, value: 1500n });
    expect(centsOf(1500n)).toBe(1500);
    expect(centsOf(12.5)).toBeUndefined();
    expect(evaluateExpression('data.places *', context).ok).toBe(false);
    expect(instantOf('2026-12-10')).toBe(Date.parse('2026-12-10T00:00:00Z'));
    expect(instantOf(new Date('2026-12-10T08:00:00Z'))).toBe(Date.parse('2026-12-10T08:00:00Z'));
    expect(instantOf('demain')).toBeUndefined();
    expect(durationMs('PT1.5S')).toBe(1500);
    expect(durationMs('P2D')).toBe(172_800_000);
    expect(durationMs('bientôt')).toBe(0);
  });

  it('allows taking in charge before writing, and submitting rather than answering before a validation', () => {
    const answer: ProcessStep = { id: 'repondre', label: 'Répondre', kind: 'answer', next: 'valider' };
    expect(allowedActions(answer, status)).toEqual(['openRequest', 'transferRequest', 'closeRequest', 'addNote', 'resendNotification']);
    expect(allowedActions(answer, { ...status, inCharge: true, answerNeedsValidation: true })).toContain('submitForValidation');
    expect(allowedActions(answer, { ...status, inCharge: true, answerNeedsValidation: true })).not.toContain('answerRequest');
    expect(allowedActions(answer, { ...status, inCharge: true })).toContain('answerRequest');
    expect(allowedActions(answer, { ...status, ended: true })).toEqual(['addNote', 'resendNotification']);
    const notify: ProcessStep = { id: 'envoyer', label: 'Envoyer', kind: 'notify', template: 'answer', channel: 'reply', next: 'fin' };
    expect(allowedActions(notify, status)).toEqual(['addNote', 'resendNotification']);
    const close: ProcessStep = { id: 'fin', label: 'Fin', kind: 'close', outcome: 'answered' };
    expect(allowedActions(close, { ...status, answeredAwaitingClose: true })).toContain('closeRequest');
  });
});
