/** Keys that would let crafted data reach Object.prototype when copied or merged. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Splits a JSON pointer ("/a/b~1c") into unescaped segments; "" is the root. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  if (!pointer.startsWith('/')) throw new Error(`Invalid JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Escapes one segment for use in a JSON pointer. */
export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins segments into a JSON pointer. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + escapeSegment(String(s))).join('');
}

function isContainer(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Reads the value at a pointer using own properties only; undefined when absent. */
export function getAt(data: unknown, pointer: string): unknown {
  let current: unknown = data;
  for (const segment of parsePointer(pointer)) {
    if (!isContainer(current) || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** Removes the value at a pointer (own properties only); returns whether something was removed. */
export function deleteAt(data: unknown, pointer: string): boolean {
  const segments = parsePointer(pointer);
  const last = segments.pop();
  if (last === undefined) return false;
  const parent = getAt(data, toPointer(segments));
  if (!isContainer(parent) || !Object.prototype.hasOwnProperty.call(parent, last)) return false;
  if (Array.isArray(parent)) return false;
  delete parent[last];
  return true;
}

/** True when `pointer` equals `ancestor` or lies under it. */
export function isAtOrUnder(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(ancestor + '/');
}
