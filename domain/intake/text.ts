import { InputError, type FieldError } from '@/domain/validation';

/**
 * C0 controls other than tab, line feed and carriage return, DEL, and lone UTF-16 surrogates: PostgreSQL refuses NUL and
 * unpaired surrogates in text and jsonb, and none of them belongs in what a person types.
 */
export const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDFFF]/u;

/** The text with each forbidden character replaced by U+FFFD, for keeping what was typed (drafts) where PostgreSQL must take it. */
export function withoutForbiddenCharacters(text: string): string {
  return text.replace(new RegExp(FORBIDDEN_CHARACTERS.source, 'gu'), '\uFFFD');
}

/** What a citizen reads when a text holds such a character. */
export const FORBIDDEN_CHARACTERS_MESSAGE = 'Ce texte contient des caractères de contrôle ou invalides.';

/** Refuses a public submission any of whose texts (at any depth) holds a forbidden character, naming each field. */
export function assertCleanText(root: unknown): void {
  const errors: FieldError[] = [];
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length && errors.length < 20) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (FORBIDDEN_CHARACTERS.test(value)) errors.push({ path, message: FORBIDDEN_CHARACTERS_MESSAGE });
    } else if (Array.isArray(value)) value.forEach((item, i) => stack.push([item, `${path}/${i}`]));
    else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) stack.push([item, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
  }
  if (errors.length) throw new InputError(errors);
}
