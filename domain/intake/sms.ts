import { displayPhone, tryParsePhone } from '@/domain/contact/phone';
import { InputError } from '@/domain/validation';
import type { StartRequestInput } from './start-input';
import { createIntake, type IntakeDeps, type IntakeReceipt } from './submission';

/** An SMS that becomes a request. */
export interface InboundSmsRequest {
  tenantSlug: string;
  topic: string;
  /** Sender in E.164 (`+33612345678`). */
  from: string;
  text: string;
  /**
   * Called with the new request's id once it is committed, before its workflow starts, so a redelivered SMS can find it;
   * should it fail, the request stays stored and the worker's recovery starts its workflow.
   */
  beforeStart?: (input: StartRequestInput) => Promise<void>;
}

const SUBJECT_TEXT_LENGTH = 60;

/** Files an inbound SMS as a request answered by SMS, through the same intake as the web form. */
export async function submitInboundSms(deps: IntakeDeps, sms: InboundSmsRequest): Promise<IntakeReceipt> {
  // A short code or an alphanumeric sender cannot be answered; the caller records the SMS as refused.
  if (tryParsePhone(sms.from) !== sms.from) throw new InputError([{ path: '/contact/phone', message: `Numéro non pris en charge : ${sms.from}` }]);
  const text = sms.text.trim() || '(SMS sans texte)';
  const excerpt = text.length > SUBJECT_TEXT_LENGTH ? `${text.slice(0, SUBJECT_TEXT_LENGTH - 1).trimEnd()}…` : text;
  const intake = createIntake({
    ...deps,
    startWorkflow: async (input) => {
      await sms.beforeStart?.(input);
      await deps.startWorkflow(input);
    },
  });
  return intake.submitRequest(
    sms.tenantSlug,
    { topic: sms.topic, subject: `SMS de ${displayPhone(sms.from)} : ${excerpt.replace(/\s+/g, ' ')}`, message: text, contact: { phone: sms.from }, channel: 'sms' },
    'sms',
  );
}
