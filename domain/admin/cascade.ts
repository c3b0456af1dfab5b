// The escalation cascade as administrators type it: "66:department, 100:head, 150:administrators".
import { validateCascade, type EscalationStep } from '@/domain/deadlines/escalation';
import { InputError } from '@/domain/validation';

/** Parses "66:department, 100:head, 150:administrators" (or an e-mail as recipient) into a validated cascade. */
export function parseCascade(text: string, path = '/escalation'): EscalationStep[] | null {
  if (!text.trim()) return null;
  const steps: EscalationStep[] = [];
  for (const part of text.split(/[,;\n]+/).map((p) => p.trim()).filter(Boolean)) {
    const [percent, ...recipients] = part.split(/[:\s]+/).filter(Boolean);
    steps.push({
      percent: Number(percent),
      recipients: recipients.map((r) => (r.includes('@') ? { email: r } : (r as 'department' | 'head' | 'administrators'))),
    });
  }
  const issues = validateCascade(steps);
  if (issues.length) throw new InputError(issues.map((i) => ({ path, message: `Étape ${i.index + 1} : ${i.message}` })));
  return steps;
}

/** Formats a cascade back to the editable text. */
export function formatCascade(steps: EscalationStep[] | null | undefined): string {
  return (steps ?? []).map((s) => `${s.percent}:${s.recipients.map((r) => (typeof r === 'string' ? r : r.email)).join(' ')}`).join(', ');
}
