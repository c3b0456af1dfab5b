import 'server-only';
import pino from 'pino';
import { SpamRefusal } from '@/domain/antispam/refusal';
import { clientAddress } from '@/domain/antispam/client-address';
import { env } from '@/domain/env';
import { ConflictError, InputError, NotFoundError } from '@/domain/validation';
import { BodyRefusal, readPublicJson } from './public-json';

const log = pino({ name: 'web' });

/** Runs a route body and turns expected errors into their HTTP answer; unexpected ones are logged, never shown. */
export async function handleRoute(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InputError) return Response.json({ errors: error.errors }, { status: 400 });
    if (error instanceof NotFoundError) return Response.json({ error: 'Introuvable.' }, { status: 404 });
    if (error instanceof ConflictError) return Response.json({ error: error.message }, { status: 409 });
    if (error instanceof BodyRefusal) return Response.json({ errors: [{ path: '', message: error.message }] }, { status: error.status });
    if (error instanceof SpamRefusal && error.isRateLimit) return tooManyRequests(error);
    log.error(error, 'unexpected error in a route');
    return Response.json({ error: 'Le service est momentanément indisponible. Merci de réessayer dans quelques instants.' }, { status: 503 });
  }
}

/** Reads a JSON body; malformed JSON is the caller's mistake (400), not ours. */
export async function readJson(request: Request, maxBytes = 256 * 1024): Promise<unknown> {
  const text = await request.text();
  if (text.length > maxBytes) throw new InputError([{ path: '', message: 'Le contenu envoyé est trop volumineux.' }]);
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError([{ path: '', message: "Le contenu envoyé n'est pas du JSON valide." }]);
  }
}

/** 429 with the seconds until the limit's window ends, in `Retry-After` and in the French message. */
export function tooManyRequests(refusal: SpamRefusal): Response {
  const headers = { 'retry-after': String(refusal.retryAfterSeconds ?? 60) };
  return Response.json({ errors: [refusal.fieldError] }, { status: 429, headers });
}

/** What a public JSON route receives once the body's envelope has passed. */
export interface PublicJsonContext<P> {
  request: Request;
  params: P;
  body: unknown;
  /** The client's address, through the configured number of trusted proxies only. */
  clientAddress: string;
}

/**
 * The one wrapper of every public JSON POST: media type (415), size (413), depth, strings and keys (400) are checked
 * before anything else; then the handler, whose expected errors answer 400 / 404 / 409 / 429 and never a 5xx.
 */
export function publicJsonRoute<P>(handler: (context: PublicJsonContext<P>) => Promise<Response>) {
  return (request: Request, { params }: { params: Promise<P> }): Promise<Response> =>
    handleRoute(async () => {
      const body = await readPublicJson(request);
      return handler({ request, params: await params, body, clientAddress: clientAddress(request.headers, env().RELAIS_TRUSTED_PROXIES) });
    });
}

/** A file to download: private and never cached (it holds a municipality's data), never sniffed as anything else. */
export function fileDownload(body: BodyInit, contentType: string, fileName: string): Response {
  return new Response(body, {
    headers: { 'content-type': contentType, 'content-disposition': `attachment; filename="${fileName}"`, 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' },
  });
}
