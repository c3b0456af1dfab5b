// A citizen's reply on the tracking page: its shape, and whether the request still takes one.
import { assertCleanText } from '@/domain/intake/text';
import { ConflictError, compileValidator } from '@/domain/validation';
import type { PublicRequestView } from './public-view';

/** Body of a citizen reply. */
export interface CitizenReplyBody {
  code: string;
  message: string;
}

/** Validates a citizen reply body. */
const validateReplyShape = compileValidator<CitizenReplyBody>({
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', minLength: 10, maxLength: 40, errorMessage: 'Code de suivi invalide.' },
    message: { type: 'string', minLength: 1, maxLength: 10000, pattern: '\\S', errorMessage: 'Le message doit contenir entre 1 et 10 000 caractères.' },
  },
});

/** Validates a citizen's reply; a NUL or a lone surrogate is refused, as the workflow's events could never be stored. */
export function validateCitizenReply(value: unknown): CitizenReplyBody {
  const body = validateReplyShape(value);
  assertCleanText(body);
  return body;
}

/** Refuses replies to requests that can no longer take one. */
export function assertAcceptsReply(view: PublicRequestView): void {
  if (view.state === 'closed' || view.state === 'rejected') throw new ConflictError('Cette demande est close : vous pouvez déposer une nouvelle demande.');
}
