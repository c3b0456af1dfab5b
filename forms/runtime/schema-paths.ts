import type { JsonSchema } from './types';
import { getAt, parsePointer } from './pointer';

const MAX_EXPANSION_DEPTH = 8;
const BRANCH_ARRAYS = ['allOf', 'anyOf', 'oneOf'] as const;
const BRANCH_SCHEMAS = ['then', 'else'] as const;

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** The node itself plus every subschema that also applies at the same place ($ref, allOf, then, …). */
function expand(node: JsonSchema, root: JsonSchema, depth = 0, out: JsonSchema[] = []): JsonSchema[] {
  if (depth > MAX_EXPANSION_DEPTH || out.includes(node)) return out;
  out.push(node);
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#')) {
    const target = getAt(root, decodeURIComponent(node.$ref.slice(1)));
    if (isSchema(target)) expand(target, root, depth + 1, out);
  }
  for (const key of BRANCH_ARRAYS) {
    const branches = node[key];
    if (Array.isArray(branches)) for (const b of branches) if (isSchema(b)) expand(b, root, depth + 1, out);
  }
  for (const key of BRANCH_SCHEMAS) {
    const branch = node[key];
    if (isSchema(branch)) expand(branch, root, depth + 1, out);
  }
  if (isSchema(node.dependentSchemas)) {
    for (const b of Object.values(node.dependentSchemas)) if (isSchema(b)) expand(b, root, depth + 1, out);
  }
  return out;
}

/**
 * Every subschema describing the data at `pointer`, following properties, items, local $ref and
 * conditional branches. An empty list means the schema has no such field.
 */
export function schemaNodesAt(root: JsonSchema, pointer: string): JsonSchema[] {
  let nodes: JsonSchema[] = [root];
  for (const segment of parsePointer(pointer)) {
    const next: JsonSchema[] = [];
    for (const node of nodes.flatMap((n) => expand(n, root))) {
      const properties = node.properties;
      if (isSchema(properties) && hasOwn(properties, segment) && isSchema(properties[segment])) {
        next.push(properties[segment] as JsonSchema);
      }
      if (/^\d+$/.test(segment) && isSchema(node.items)) next.push(node.items);
    }
    if (next.length === 0) return [];
    nodes = next;
  }
  return nodes.flatMap((n) => expand(n, root));
}

/** First value of a keyword among the nodes describing one field. */
export function keywordAt<T = unknown>(nodes: readonly JsonSchema[], keyword: string): T | undefined {
  for (const node of nodes) if (hasOwn(node, keyword)) return node[keyword] as T;
  return undefined;
}

/** Largest value of a numeric keyword anywhere in a schema (used to raise default size limits). */
export function largestKeyword(schema: unknown, keyword: string): number {
  let largest = 0;
  const stack: unknown[] = [schema];
  let visited = 0;
  while (stack.length > 0 && visited++ < 100_000) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === keyword && typeof value === 'number') largest = Math.max(largest, value);
      else stack.push(value);
    }
  }
  return largest;
}
