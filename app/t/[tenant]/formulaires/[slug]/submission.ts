import 'server-only';
import type { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { HONEYPOT_FIELD } from '@/domain/antispam/fields';
import { SpamRefusal } from '@/domain/antispam/refusal';
import { checkHoneypot, type createFormClock } from '@/domain/antispam/form-clock';
import type { createSubmissionLimiter } from '@/domain/antispam/submission-limiter';
import type { FormTokenLedger } from '@/domain/antispam/form-tokens';
import { compileStoredForm } from '@/domain/forms/store';
import { contactFromForm, findTenantForm, type FormReceipt, type createFormIntake } from '@/domain/intake/forms';
import { InputError } from '@/domain/validation';
import { formStep, refusedState, type WizardState } from '@/app/_components/forms/step';

const log = pino({ name: 'portal-forms' });

/** What a form post needs: the ORM, the form intake, and the portal's anti-spam guards (shared with the question form). */
export interface FormPostDeps {
  orm: MikroORM;
  submitForm: ReturnType<typeof createFormIntake>['submitForm'];
  guards: { clock: ReturnType<typeof createFormClock>; limiter: ReturnType<typeof createSubmissionLimiter>; tokens: FormTokenLedger };
}

/** One post of a smart form as the browser sent it. */
export interface FormPost {
  tenantSlug: string;
  formSlug: string;
  version: number;
  previous: WizardState | undefined;
  form: FormData;
  ip: string;
}

/** The wizard's next state, or the receipt of the request once it is filed. */
export type FormPostResult = { kind: 'state'; state: WizardState } | { kind: 'filed'; receipt: FormReceipt };

/**
 * Handles one page post: a filled honeypot is refused on any post; the request is filed only from the review page,
 * after the minimum fill time, the rate limits and the intake's own validation. A refused post creates nothing.
 */
export async function handleFormPost(deps: FormPostDeps, post: FormPost): Promise<FormPostResult> {
  const { form: stored } = await findTenantForm(deps.orm, post.tenantSlug, post.formSlug, post.version);
  const outcome = formStep(stored.definition, compileStoredForm(stored), post.version, (post.previous?.seq ?? 0) + 1, post.form);
  let token: { value: string; expiresAt: Date } | undefined;
  try {
    checkHoneypot(post.form.get(HONEYPOT_FIELD));
    if (outcome.kind === 'submit') {
      const { expiresAt } = deps.guards.clock.check(outcome.state.token);
      const { contact } = contactFromForm(stored.definition, outcome.answers);
      await deps.guards.limiter.consume(post.ip, [contact.email, contact.phone]);
      token = { value: outcome.state.token!, expiresAt };
      await deps.guards.tokens.claim(token.value, token.expiresAt);
    }
  } catch (error) {
    if (!(error instanceof SpamRefusal)) throw error;
    log.warn({ tenant: post.tenantSlug, form: post.formSlug, reason: error.reason }, 'form submission refused by anti-spam');
    // A fresh token, so a citizen refused for an old, used or missing one can send again.
    return { kind: 'state', state: { ...outcome.posted, errors: [], notice: error.fieldError.message, token: deps.guards.clock.issue() } };
  }
  if (outcome.kind === 'page') return { kind: 'state', state: outcome.state };
  try {
    return { kind: 'filed', receipt: await deps.submitForm(post.tenantSlug, post.formSlug, { data: outcome.answers, version: post.version }) };
  } catch (error) {
    // Nothing was filed: the token goes back, so the corrected form can be sent with it.
    if (token) await deps.guards.tokens.release(token.value).catch((e: unknown) => log.warn(e, 'could not give a form token back'));
    if (error instanceof InputError) return { kind: 'state', state: refusedState(stored.definition, outcome.state, error.errors) };
    log.error(error, 'unexpected error while filing a form request');
    const notice = 'Le service est momentanément indisponible. Votre demande n’a pas été enregistrée : merci de réessayer dans quelques instants.';
    return { kind: 'state', state: { ...outcome.state, errors: [], notice } };
  }
}
