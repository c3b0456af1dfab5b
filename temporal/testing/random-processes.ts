/**
 * Random valid process definitions for property tests: every step kind, a graph whose primary path runs forward to a
 * `close` step, side branches forward or to a close step, and loops only back through waiting steps (a validation
 * returning to an earlier answer, an unanswered question going back to an earlier waiting step). Delays are of a
 * second or less, so a run ends within seconds on a real server.
 */
import fc from 'fast-check';
import type { ProcessDefinition, ProcessStep, StepKind } from '@/domain/processes/definition';
import { WAITING_KINDS } from '@/domain/processes/definition';

const MIDDLE_KINDS: StepKind[] = ['acknowledge', 'route', 'answer', 'validate', 'request_information', 'decide', 'issue_document', 'export', 'collect_payment', 'notify', 'wait'];
const CLOSES: ProcessStep[] = [
  { id: 'fin', kind: 'close', label: 'Répondu', outcome: 'answered' },
  { id: 'clos', kind: 'close', label: 'Clos', outcome: 'closed' },
  { id: 'rejet', kind: 'close', label: 'Refusé', outcome: 'rejected' },
  { id: 'abandon', kind: 'close', label: 'Abandonné', outcome: 'abandoned' },
];

/** What one middle step draws: its kind and the choices its fields need. */
interface Draw {
  kind: StepKind;
  pick: number[];
  withDelay: boolean;
}

const draw: fc.Arbitrary<Draw> = fc.record({
  kind: fc.constantFrom(...MIDDLE_KINDS),
  pick: fc.array(fc.nat(99), { minLength: 6, maxLength: 6 }),
  withDelay: fc.boolean(),
});

/** A random valid definition of 2 to 8 middle steps, and the form data its expressions read. */
export const randomProcess: fc.Arbitrary<{ definition: ProcessDefinition; formData: Record<string, unknown> }> = fc
  .record({ draws: fc.array(draw, { minLength: 2, maxLength: 8 }), amount: fc.integer({ min: 0, max: 20 }), waitMs: fc.integer({ min: 100, max: 900 }) })
  .map(({ draws, amount, waitMs }) => {
    const ids = draws.map((_, index) => `etape-${index}`);
    const nextOf = (index: number, roll: number) => (index + 1 < draws.length ? ids[index + 1] : CLOSES[roll % 2].id);
    // A side branch: a later step or a close step; back to an earlier waiting step when `loop` allows it.
    const branchOf = (index: number, roll: number, loop: boolean) => {
      const earlier = loop ? ids.slice(0, index).filter((_, j) => WAITING_KINDS.has(draws[j].kind)) : [];
      const targets = [...ids.slice(index + 1), ...earlier, ...CLOSES.map((c) => c.id)];
      return targets[roll % targets.length];
    };
    const steps: ProcessStep[] = draws.map(({ kind, pick, withDelay }, index) => {
      const base = {
        id: ids[index],
        label: `Étape ${index + 1}`,
        ...(withDelay && WAITING_KINDS.has(kind) ? { delay: { delay: 'PT1S', businessDays: false }, escalation: [{ percent: 50 + (pick[5] % 50), recipients: ['department' as const] }] } : {}),
      };
      const next = nextOf(index, pick[0]);
      switch (kind) {
        case 'acknowledge':
          return { ...base, kind, channels: (['reply', 'email', 'sms', 'post'] as const).filter((_, c) => c === 0 || pick[1 + c] % 3 === 0), next };
        case 'route':
          return { ...base, kind, department: pick[1] % 2 ? 'accueil' : 'voirie', rules: [{ when: `data.montant > ${pick[2] % 20}`, department: 'etat-civil' }], next };
        case 'answer':
          return { ...base, kind, next };
        case 'validate':
          return {
            ...base,
            kind,
            levels: Array.from({ length: 1 + (pick[1] % 3) }, (_, level) => ({ label: `Niveau ${level + 1}`, ...(pick[2 + level] % 2 ? { role: 'validator' as const } : { role: 'administrator' as const }) })),
            approved: next,
            // Back to an earlier answer when there is one: the loop a validation makes.
            returned: ids.slice(0, index).find((_, j) => draws[j].kind === 'answer') ?? branchOf(index, pick[4], false),
          };
        case 'request_information':
          return {
            ...base,
            kind,
            ...(pick[1] % 2 ? { template: 'information_requested' } : {}),
            timeout: 'PT1S',
            ...(pick[2] % 2 ? { reminderAfter: 'PT0.5S' } : {}),
            next,
            abandoned: branchOf(index, pick[3], true),
          };
        case 'decide':
          return { ...base, kind, accepted: next, refused: branchOf(index, pick[1], false) };
        case 'issue_document':
          return { ...base, kind, template: pick[1] % 2 ? 'certificate' : 'answer-letter', next };
        case 'export':
          return { ...base, kind, connector: 'logiciel-metier', next };
        case 'collect_payment':
          return { ...base, kind, amount: pick[1] % 2 ? 1500 : 'int(data.montant) * 100', label: 'Paiement', timeout: 'PT1S', paid: next, unpaid: branchOf(index, pick[2], true) };
        case 'notify':
          return { ...base, kind, template: pick[1] % 3 ? 'answer' : 'state_changed', channel: (['reply', 'email', 'sms', 'post'] as const)[pick[2] % 4], next };
        case 'wait':
          return { ...base, kind, ...(pick[1] % 2 ? { duration: `PT${waitMs / 1000}S` } : { until: 'data.rendez_vous' }), next };
        default:
          throw new Error(`unexpected kind ${kind}`);
      }
    });
    const definition: ProcessDefinition = {
      slug: 'aleatoire',
      title: 'Processus aléatoire',
      kind: 'question',
      guaranteedDelay: { delay: 'PT2S', businessDays: false },
      escalation: [{ percent: 80, recipients: ['head'] }],
      start: ids[0],
      steps: [...steps, ...CLOSES],
    };
    return { definition, formData: { montant: amount, rendez_vous: new Date(Date.now() + waitMs).toISOString() } };
  });
