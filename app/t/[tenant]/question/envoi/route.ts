import pino from 'pino';
import { checkFiles } from '@/domain/attachments/upload-checks';
import { pendingAttachments, purgeAbandonedUploads, storePendingFiles } from '@/domain/attachments/store';
import { SpamRefusal } from '@/domain/antispam/refusal';
import { checkHoneypot } from '@/domain/antispam/form-clock';
import { clientAddress } from '@/domain/antispam/client-address';
import { env } from '@/domain/env';
import { validateNewRequest } from '@/domain/intake/submission';
import { InputError, NotFoundError, type FieldError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import type { QuestionValues } from '@/app/_components/portal/question-fields';
import { deleteDraft, readQuestionForm, saveDraft, toRequestBody } from '@/app/t/_lib/question';
import { findPortalTenant, portalGuards, portalPaths, type PortalTenant } from '@/app/t/_lib/tenant';
import { secureCookies } from '@/app/_server/cookie-policy';

const log = pino({ name: 'portal' });

/** How long the confirmation page may show the tracking code (it is also in the acknowledgement). */
const RECEIPT_COOKIE_SECONDS = 3600;

/**
 * The question form's target, with or without JavaScript: a plain post gets redirects (confirmation, or the form
 * again with its draft), a script asking for JSON gets `{redirect}` or `400 {errors, attachments}`.
 */
export async function POST(request: Request, { params }: { params: Promise<{ tenant: string }> }): Promise<Response> {
  const { tenant: slug } = await params;
  const wantsJson = (request.headers.get('accept') ?? '').includes('application/json');
  const tenant = await findPortalTenant(slug);
  if (!tenant) return wantsJson ? Response.json({ error: 'Commune inconnue.' }, { status: 404 }) : new Response('Commune inconnue.', { status: 404 });

  let parsed: Awaited<ReturnType<typeof readQuestionForm>>;
  try {
    parsed = await readQuestionForm(await request.formData());
  } catch {
    return refuse(tenant, wantsJson, undefined, [{ path: '', message: "Le formulaire envoyé est illisible ou trop volumineux (5 fichiers de 5 Mo au plus)." }], []);
  }
  const { values, files, honeypot, token } = parsed;
  const draftId = new URL(request.url).searchParams.get('brouillon') ?? undefined;
  const { orm, intake } = await appContext();
  const em = orm.em.fork();
  const { clock, limiter, tokens } = portalGuards();

  let expiresAt: Date;
  try {
    checkHoneypot(honeypot);
    ({ expiresAt } = clock.check(token));
    await limiter.consume(clientAddress(request.headers, env().RELAIS_TRUSTED_PROXIES), [values.email, values.phone]);
  } catch (error) {
    if (!(error instanceof SpamRefusal)) return unexpected(error, tenant, wantsJson);
    return spam(error);
  }

  try {
    const errors: FieldError[] = [...checkFiles(files)];
    if (!values.consent) errors.push({ path: '/consent', message: 'Cochez la case pour accepter le traitement de votre demande.' });
    // Files that pass are kept even if the rest is refused, so the citizen does not have to choose them again.
    const kept = await pendingAttachments(em, tenant.id, values.attachmentIds);
    const stored = errors.some((e) => e.path === '/attachments') ? [] : await storePendingFiles(em, tenant.id, files);
    const attachments = [...kept, ...stored];
    // Uploads of abandoned forms are forgotten after a day; new uploads are the cheap moment to sweep (indexed on pending rows).
    if (stored.length) purgeAbandonedUploads(orm.em.fork()).catch((error) => log.warn(error, 'could not purge abandoned uploads'));
    if (attachments.length > 5) errors.push({ path: '/attachments', message: 'Vous pouvez joindre au plus 5 fichiers.' });
    const body = toRequestBody(values, attachments.map((a) => a.id));
    try {
      validateNewRequest(body);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      errors.unshift(...error.errors);
    }
    if (errors.length) return refuse(tenant, wantsJson, { ...values, attachmentIds: attachments.map((a) => a.id) }, errors, attachments);

    // Claimed once the form is valid: a token files one request, and is given back if the intake refuses it.
    await tokens.claim(token!, expiresAt);
    const receipt = await intake.submitPublicRequest(slug, body, 'web').catch(async (error: unknown) => {
      await tokens.release(token!).catch((e: unknown) => log.warn(e, 'could not give a form token back'));
      throw error;
    });
    await deleteDraft(em, draftId);
    const target = portalPaths.confirmation(slug, receipt.reference);
    // Duplicates are answered to API clients only (here single-use tokens stop a form sent twice); were one answered,
    // there would be no code to show and the page points to the acknowledgement.
    const headers = new Headers({ 'cache-control': 'no-store' });
    if (!receipt.duplicate) headers.set('set-cookie', receiptCookie(request, target, receipt.trackingCode));
    if (wantsJson) {
      headers.set('content-type', 'application/json');
      return new Response(JSON.stringify({ redirect: target }), { status: 200, headers });
    }
    headers.set('location', target);
    return new Response(null, { status: 303, headers });
  } catch (error) {
    if (error instanceof SpamRefusal) return spam(error);
    if (error instanceof InputError) {
      const attachments = await pendingAttachments(em, tenant.id, values.attachmentIds).catch(() => []);
      return refuse(tenant, wantsJson, values, error.errors, attachments);
    }
    if (error instanceof NotFoundError) return new Response('Commune inconnue.', { status: 404 });
    return unexpected(error, tenant, wantsJson, values);
  }

  function spam(refusal: SpamRefusal): Promise<Response> {
    log.warn({ tenant: slug, reason: refusal.reason }, 'portal submission refused by anti-spam');
    const retryAfter = refusal.isRateLimit ? { 'retry-after': String(refusal.retryAfterSeconds ?? 60) } : undefined;
    return refuse(tenant!, wantsJson, values, [refusal.fieldError], [], refusal.isRateLimit ? 429 : 400, retryAfter);
  }

  async function refuse(
    t: PortalTenant,
    json: boolean,
    typed: QuestionValues | undefined,
    errors: FieldError[],
    attachments: Array<{ id: string; name: string; size: number }>,
    status = 400,
    headers?: Record<string, string>,
  ): Promise<Response> {
    if (json) return Response.json({ errors, attachments: attachments.map(({ id, name, size }) => ({ id, name, size })) }, { status, headers });
    const { orm: o } = await appContext();
    const id = typed ? await saveDraft(o.em.fork(), t.id, { values: typed, errors }) : undefined;
    const location = `${portalPaths.question(t.slug)}${id ? `?brouillon=${id}` : '?erreur=illisible'}#erreurs`;
    return new Response(null, { status: 303, headers: { ...headers, location, 'cache-control': 'no-store' } });
  }

  async function unexpected(error: unknown, t: PortalTenant, json: boolean, typed?: QuestionValues): Promise<Response> {
    log.error(error, 'unexpected error on the question form');
    const message = 'Le service est momentanément indisponible. Votre demande n’a pas été enregistrée : merci de réessayer dans quelques instants.';
    if (json) return Response.json({ errors: [{ path: '', message }] }, { status: 503 });
    return refuse(t, json, typed, [{ path: '', message }], []).catch(() => new Response(message, { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } }));
  }
}

// HttpOnly and scoped to this one confirmation page: the code never sits in a URL, history or Referer.
function receiptCookie(request: Request, path: string, code: string): string {
  const secure = secureCookies() || new URL(request.url).protocol === 'https:' ? '; Secure' : '';
  return `relais_code=${encodeURIComponent(code)}; Path=${path}; Max-Age=${RECEIPT_COOKIE_SECONDS}; HttpOnly; SameSite=Lax${secure}`;
}
