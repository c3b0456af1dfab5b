import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';

const runtimeDir = new URL('./', import.meta.url);
const sources = readdirSync(runtimeDir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('forms/runtime is browser-safe', () => {
  it.each(sources)('%s imports no Node built-in and no global Node object', (name) => {
    const text = readFileSync(new URL(name, runtimeDir), 'utf8');
    const imports = [...text.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
    expect(imports.filter((spec) => builtins.has(spec) || builtins.has(spec.split('/')[0]))).toEqual([]);
    expect(text).not.toMatch(/\b(process|Buffer|__dirname|require)\b[.(]/);
  });
});
