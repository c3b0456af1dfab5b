'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { clientAddress } from '@/domain/antispam/client-address';
import { env } from '@/domain/env';
import { appContext } from '@/app/_server/context';
import { secureCookies } from '@/app/_server/cookie-policy';
import { formIntake } from '@/app/_components/forms/server';
import type { WizardState } from '@/app/_components/forms/step';
import { portalGuards, portalPaths } from '@/app/t/_lib/tenant';
import { handleFormPost } from './submission';

/** One post of a smart form; "Envoyer la demande" on the review page files the request and opens the confirmation page. */
export async function submitFormStep(tenantSlug: string, formSlug: string, version: number, previous: WizardState, form: FormData): Promise<WizardState> {
  const { orm } = await appContext();
  const requestHeaders = await headers();
  const result = await handleFormPost(
    { orm, submitForm: (await formIntake()).submitForm, guards: portalGuards() },
    { tenantSlug, formSlug, version, previous, form, ip: clientAddress(requestHeaders, env().RELAIS_TRUSTED_PROXIES) },
  );
  if (result.kind === 'state') return result.state;
  const target = portalPaths.confirmation(tenantSlug, result.receipt.reference);
  // Duplicates are answered to API clients only; were one answered here, there would be no code to set.
  if (result.receipt.duplicate) redirect(target);
  const secure = secureCookies() || requestHeaders.get('x-forwarded-proto') === 'https';
  // Same cookie as the question form: the portal's confirmation page shows the code, which never sits in a URL.
  (await cookies()).set('relais_code', result.receipt.trackingCode, { path: target, maxAge: 3600, httpOnly: true, sameSite: 'lax', secure });
  redirect(target);
}
