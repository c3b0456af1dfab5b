'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import pino from 'pino';
import { findTenantForm } from '../../../../../domain/intake/forms';
import { compileStoredForm } from '../../../../../domain/forms/store';
import { InputError } from '../../../../../domain/validation';
import { appContext } from '../../../../_server/context';
import { formIntake } from '../../../../_components/forms/server';
import { formStep, refusedState, type WizardState } from '../../../../_components/forms/step';

const log = pino({ name: 'portal-forms' });

/** One page post of a smart form; the last one files the request and opens the confirmation page. */
export async function submitFormStep(tenantSlug: string, formSlug: string, version: number, previous: WizardState, form: FormData): Promise<WizardState> {
  const { orm } = await appContext();
  const { form: stored } = await findTenantForm(orm, tenantSlug, formSlug, version);
  const outcome = formStep(stored.definition, compileStoredForm(stored), version, (previous?.seq ?? 0) + 1, form);
  if (outcome.kind === 'page') return outcome.state;
  let target: string;
  try {
    const receipt = await (await formIntake()).submitForm(tenantSlug, formSlug, { data: outcome.answers, version });
    target = `/t/${tenantSlug}/confirmation/${encodeURIComponent(receipt.reference)}`;
    const secure = (await headers()).get('x-forwarded-proto') === 'https';
    // Same cookie as the question form: the portal's confirmation page shows the code, which never sits in a URL.
    (await cookies()).set('relais_code', receipt.trackingCode, { path: target, maxAge: 3600, httpOnly: true, sameSite: 'lax', secure });
  } catch (error) {
    if (error instanceof InputError) return refusedState(stored.definition, outcome.state, error.errors);
    log.error(error, 'unexpected error while filing a form request');
    return { ...outcome.state, errors: [], notice: 'Le service est momentanément indisponible. Votre demande n’a pas été enregistrée : merci de réessayer dans quelques instants.' };
  }
  redirect(target);
}
