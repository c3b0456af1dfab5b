import { FORBIDDEN_CHARACTERS, FORBIDDEN_CHARACTERS_MESSAGE } from '@/domain/intake/text';
import { depthError, escapePointer } from '@/domain/json-depth';
import { InputError, type FieldError } from '@/domain/validation';
import { formatNumber } from '@/domain/format/french';

/** Bounds of a public JSON body; each is checked before the body reaches any rule or the database. */
export interface JsonBodyLimits {
  maxBytes: number;
  maxDepth: number;
  maxStringLength: number;
  maxKeyLength: number;
}

/** Limits of the public API: a request's message is at most 10,000 characters, forms nest a few levels. */
export const PUBLIC_JSON_LIMITS: JsonBodyLimits = { maxBytes: 256 * 1024, maxDepth: 32, maxStringLength: 10_000, maxKeyLength: 200 };

/** A body refused for its envelope rather than its content: 413 (too large) or 415 (not JSON). */
export class BodyRefusal extends Error {
  constructor(
    readonly status: 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

const NOT_JSON = new BodyRefusal(415, 'Le contenu doit être envoyé en JSON (en-tête Content-Type: application/json).');
const TOO_LARGE = (limits: JsonBodyLimits) => new BodyRefusal(413, `Le contenu envoyé est trop volumineux (${Math.floor(limits.maxBytes / 1024)} Ko au plus).`);

/**
 * Reads a public JSON body: the media type must be `application/json` (a UTF-8 charset parameter is allowed), the size
 * is checked while reading, the nesting depth on the raw text before parsing, then every key and string of the value.
 * Cross-site HTML forms can only send "simple" content types, so requiring JSON also keeps them out.
 */
export async function readPublicJson(request: Request, limits: JsonBodyLimits = PUBLIC_JSON_LIMITS): Promise<unknown> {
  assertJsonMediaType(request.headers.get('content-type'));
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limits.maxBytes) throw TOO_LARGE(limits);
  const bytes = await readAtMost(request, limits);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError([{ path: '', message: "Le contenu envoyé n'est pas du texte UTF-8 valide." }]);
  }
  const tooDeep = depthError(text, limits.maxDepth);
  if (tooDeep) throw new InputError([tooDeep]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError([{ path: '', message: "Le contenu envoyé n'est pas du JSON valide." }]);
  }
  const errors = contentErrors(value, limits);
  if (errors.length) throw new InputError(errors);
  return value;
}

function assertJsonMediaType(header: string | null): void {
  if (!header) throw NOT_JSON;
  const [type, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') throw NOT_JSON;
  for (const parameter of parameters) {
    const [name, raw = ''] = parameter.split('=').map((s) => s.trim());
    if (name === 'charset' && raw.replace(/^"|"$/g, '') !== 'utf-8') throw NOT_JSON;
  }
}

// Stops reading past the limit, so a client cannot make the server buffer an unbounded body.
async function readAtMost(request: Request, limits: JsonBodyLimits): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limits.maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw TOO_LARGE(limits);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_ERRORS = 20;

/** Errors of every key and string of a parsed body, walked with an explicit stack (depth is bounded already). */
function contentErrors(root: unknown, limits: JsonBodyLimits): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length && errors.length < MAX_ERRORS) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > limits.maxStringLength)
        errors.push({ path, message: `Ce texte est trop long (${formatNumber(limits.maxStringLength)} caractères au plus).` });
      else if (FORBIDDEN_CHARACTERS.test(value)) errors.push({ path, message: FORBIDDEN_CHARACTERS_MESSAGE });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}/${i}`]);
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) {
        const child = `${path}/${escapePointer(key)}`;
        if (FORBIDDEN_KEYS.has(key)) errors.push({ path: child, message: "Ce nom de champ n'est pas autorisé." });
        else if (key.length > limits.maxKeyLength || FORBIDDEN_CHARACTERS.test(key)) errors.push({ path: `${path}`, message: 'Un nom de champ est trop long ou invalide.' });
        else stack.push([(value as Record<string, unknown>)[key], child]);
      }
    }
  }
  return errors;
}
