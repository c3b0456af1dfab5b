import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUEST_ACTIONS } from '@/domain/inbox/actions';
import { AUDIT_ACTION_LABELS, auditActionLabel, auditDetails, auditOutcomeLabel } from './labels';

const FAMILIES = ['auth', 'request', 'admin', 'privacy', 'retention', 'dashboard', 'quality_report', 'audit', 'payment'];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(file);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

describe('audit labels', () => {
  it('have a French label for every action code the code base writes', () => {
    const literal = new RegExp(`'((?:${FAMILIES.join('|')})\\.[a-z_-]+(?:\\.[a-z_-]+)*)'`, 'g');
    const written = new Set<string>();
    for (const file of ['domain', 'app', 'activities', 'workflows'].flatMap(sources)) {
      const text = fs.readFileSync(file, 'utf8');
      if (!/writeAudit|audit\(/.test(text)) continue;
      for (const match of text.matchAll(literal)) written.add(match[1]);
    }
    for (const name of Object.keys(REQUEST_ACTIONS)) written.add(`request.${name}`);
    for (const kind of ['attachment', 'document']) written.add(`request.${kind}.download`);
    expect(written.size).toBeGreaterThan(30);
    expect([...written].filter((action) => !(action in AUDIT_ACTION_LABELS)).sort()).toEqual([]);
  });

  it('name a refused login plainly and keep an unknown code visible', () => {
    expect(auditOutcomeLabel('auth.login', 'refused')).toBe('Échec de connexion');
    expect(auditOutcomeLabel('request.answer', 'refused')).toBe('Refusée');
    expect(auditActionLabel('future.action')).toBe('future.action');
    expect(auditDetails({ via: 'console', counts: { requests: 2 }, empty: null })).toBe('depuis : la console · nombres : {"requests":2}');
  });

  it('show an erasure’s reason first, then the person by its masked address, the requests and the counts, within the line’s length', () => {
    const reason = 'Demande de la personne du 3 décembre';
    // The keys in the order PostgreSQL's jsonb returns them (shortest first): counts came before the reason.
    const erasure = {
      counts: { requests: 2, attachments: 1, documents: 1, notifications: 4, smsMessages: 3, smsInbound: 1, messagesWithoutRequest: 0 },
      person: { kind: 'email', masked: 'j•••@exemple.fr', fingerprint: 'f'.repeat(64) },
      reason,
      references: ['DEMO-2026-000012', 'DEMO-2026-000013'],
      openReferences: ['DEMO-2026-000013'],
    };
    const line = auditDetails(erasure);
    expect(line.startsWith(`motif : ${reason} · `)).toBe(true);
    expect(line).toContain('personne : j•••@exemple.fr');
    expect(line).not.toContain('fingerprint');
    expect(line).toContain('demandes : ["DEMO-2026-000012","DEMO-2026-000013"]');
    expect(line.indexOf('nombres : {"requests":2')).toBeGreaterThan(line.indexOf('demandes en cours'));
    expect(line.length).toBeLessThanOrEqual(240);
    // A reason longer than the line is cut, never pushed out by the counts.
    expect(auditDetails({ ...erasure, reason: 'x'.repeat(300) })).toBe(`motif : ${'x'.repeat(240 - 'motif : '.length - 1)}…`);
  });
});
