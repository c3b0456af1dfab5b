import { readFileSync } from 'node:fs';
import type { FormError } from './runtime/types';

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `ligne ${line}, colonne ${column}`;
}

/**
 * Reads and parses a JSON file a designer wrote (form or process definition) without throwing:
 * an unreadable file or bad JSON is one error at the root, in French, with the line and column when known.
 */
export function readJsonFile(file: string): { json?: unknown; errors: FormError[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return { errors: [{ path: '', message: code === 'ENOENT' ? 'Fichier introuvable.' : `Fichier illisible (${code ?? 'erreur inconnue'}).` }] };
  }
  try {
    return { json: JSON.parse(text), errors: [] };
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const position = /position (\d+)/.exec(detail);
    const where = position ? ` (${lineAndColumn(text, Number(position[1]))})` : '';
    return { errors: [{ path: '', message: `JSON invalide${where} : ${detail}` }] };
  }
}

/** One line per error, naming the file and the JSON path (`(racine)` for the whole file), as the command line prints them. */
export function errorLines(file: string, errors: readonly FormError[]): string[] {
  return errors.map((e) => `${file} ${e.path === '' ? '(racine)' : e.path} : ${e.message}`);
}
