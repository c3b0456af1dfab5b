import type { FieldError } from './validation';

/**
 * The first place where arrays and objects nest deeper than allowed, scanned on the text in one loop: a recursive
 * check (or JSON.stringify later on) would overflow the stack on the very bodies it must refuse.
 */
export function depthError(text: string, maxDepth: number): FieldError | undefined {
  let depth = 0;
  let inString = false;
  let topKey: string | undefined;
  let keyStart = -1;
  let topIsObject = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) {
        inString = false;
        // A string at the first level of an object, followed by a colon, names the field the error belongs to.
        if (depth === 1 && topIsObject && keyStart >= 0 && /^\s*:/.test(text.slice(i + 1, i + 40))) topKey = parseKey(text.slice(keyStart, i + 1));
      }
      continue;
    }
    if (c === 0x22) {
      inString = true;
      keyStart = i;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === 0) topIsObject = c === 0x7b;
      depth++;
      if (depth > maxDepth) {
        const path = topKey === undefined ? '' : `/${escapePointer(topKey.slice(0, 200))}`;
        return { path, message: `Le contenu est imbriqué trop profondément (${maxDepth} niveaux au plus).` };
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

function parseKey(literal: string): string | undefined {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/** A key as a JSON Pointer segment. */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
