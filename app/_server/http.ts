import 'server-only';
import pino from 'pino';
import { ConflictError, InputError, NotFoundError } from '../../domain/validation';

const log = pino({ name: 'web' });

/** Runs a route body and turns expected errors into their HTTP answer; unexpected ones are logged, never shown. */
export async function handleRoute(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InputError) return Response.json({ errors: error.errors }, { status: 400 });
    if (error instanceof NotFoundError) return Response.json({ error: 'Introuvable.' }, { status: 404 });
    if (error instanceof ConflictError) return Response.json({ error: error.message }, { status: 409 });
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
