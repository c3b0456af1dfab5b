import type { FieldError } from '@/domain/validation';

/** Errors grouped by form control id (each message once); errors without a control are kept under "". */
export function groupErrors(errors: FieldError[], idOf: (path: string) => string | undefined): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const error of errors) {
    const list = (grouped[idOf(error.path) ?? ''] ??= []);
    if (!list.includes(error.message)) list.push(error.message);
  }
  return grouped;
}

/** How a portal form marks its controls in error: aria-invalid, aria-describedby and the message above the control. */
export function fieldErrorMarks(byField: Record<string, string[]>) {
  return {
    invalid: (id: string) => (byField[id] ? true : undefined),
    describedBy: (id: string, hint?: string) => [hint, byField[id] ? `${id}-erreur` : undefined].filter(Boolean).join(' ') || undefined,
    fieldErrors: (id: string) =>
      byField[id] ? (
        <p className="field-error" id={`${id}-erreur`}>
          {byField[id].map((m) => (
            <span key={m}>
              <span className="sr-only">Erreur : </span>
              {m}
            </span>
          ))}
        </p>
      ) : null,
  };
}
