import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { ensureShippedForms } from '@/domain/forms/store';
import { insertRequest } from '@/activities/documents/test-support';
import { EXPORT_TABLE_DDL } from '@/integrations/exports/database';
import { listExportAttempts } from '@/domain/exports/attempts';
import { createExportActivities, type ExportInput } from './export-activities';
import { SIGNATURE_HEADER, verifySignature } from '@/integrations/exports/webhook';
import { startProfileWorker, withWaitsDividedBy } from '@/temporal/testing/profiles';
import { ACTIVITY_PROFILES } from '@/workflows/request/profiles';

const SECRET = 'secret-de-test-relais';
const REGISTRATION = {
  nomEnfant: 'Martin', prenomEnfant: 'Léo', dateNaissanceEnfant: '2017-03-02', formule: 'journee',
  adresse: { ligne1: '3 rue Haute', codePostal: '99999', commune: 'Démo' }, allergies: false, activites: ['piscine', 'poney'],
};

let orm: MikroORM;
let dir: string;
let exportDbUrl: string;
let exportDbName: string;
let activities: ReturnType<typeof createExportActivities>;
let worker: Awaited<ReturnType<typeof startProfileWorker>>;

/** A local HTTP receiver answering with the scripted statuses, then 200; it checks each signature. */
async function receiver(statuses: number[]) {
  const received: Array<{ body: string; signed: boolean; key: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ body, signed: verifySignature(SECRET, req.headers[SIGNATURE_HEADER.toLowerCase()] as string, body), key: req.headers['x-relais-idempotency-key'] as string });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/inscriptions`, received, close: () => new Promise((r) => server.close(r)) };
}

// The workflow's export profile waits 10 s before its first retry: the test divides the waits, nothing else.
const EXPORT_PROFILE = withWaitsDividedBy(ACTIVITY_PROFILES.export, 100);

async function registration(): Promise<ExportInput & { reference: string }> {
  const request = await insertRequest(orm, { topic: 'centre-loisirs', formData: REGISTRATION, formVersion: 1 });
  return { tenantId: request.tenantId, requestId: request.id, reference: request.reference, idempotencyKey: `export:${request.id}` };
}

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  await ensureShippedForms(orm);
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-exports-'));
  exportDbName = `relais_export_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: env().DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${exportDbName}`);
  await admin.end();
  const url = new URL(env().DATABASE_URL!);
  url.pathname = `/${exportDbName}`;
  exportDbUrl = url.toString();
  const client = new pg.Client({ connectionString: exportDbUrl });
  await client.connect();
  await client.query(EXPORT_TABLE_DDL('inscriptions_centre_loisirs'));
  await client.end();
  activities = createExportActivities({ orm, exportDir: dir, exportDatabaseUrl: exportDbUrl, webhookSecrets: { default: SECRET } });
  worker = await startProfileWorker({ exportRegistration: activities.exportRegistration });
});

afterAll(async () => {
  await worker?.close();
  await activities?.closeExportConnections();
  const admin = new pg.Client({ connectionString: env().DATABASE_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${exportDbName} with (force)`);
  await admin.end();
  await fs.rm(dir, { recursive: true, force: true });
  await closeAllORMs();
});

describe('webhook connector', () => {
  it('retries a receiver that fails first (503) and succeeds later, with a valid HMAC signature each time', async () => {
    const server = await receiver([503, 503]);
    try {
      const input = { ...(await registration()), connector: { connector: 'webhook' as const, url: server.url } };
      const run = await worker.run('exportRegistration', [input], EXPORT_PROFILE);
      expect(run.failure).toBeUndefined();
      expect(run.result).toEqual({ connector: 'webhook', target: server.url, status: 'exported' });
      expect(run.attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'completed']]);
      expect(run.historyAttempt).toBe(3);
      // Temporal's backoff, as the profile sets it: each wait at least the previous one times the coefficient.
      const [first, second, third] = run.attempts.map((a) => a.startedAt);
      expect(second - first).toBeGreaterThanOrEqual(100);
      expect(third - second).toBeGreaterThanOrEqual(200);
      expect(server.received).toHaveLength(3);
      expect(server.received.every((r) => r.signed && r.key === input.idempotencyKey)).toBe(true);
      expect(JSON.parse(server.received[2].body)).toMatchObject({ reference: input.reference, tenant: 'demo', form: 'centre-loisirs', formVersion: 1, data: REGISTRATION });
      const attempts = await listExportAttempts(orm.em.fork(), input.tenantId, input.requestId);
      expect(attempts.map((a) => [a.attempt, a.status, a.httpStatus])).toEqual([[1, 'failed', 503], [2, 'failed', 503], [3, 'succeeded', 200]]);
    } finally {
      await server.close();
    }
  });

  it('does not retry a 400 and records the refusal', async () => {
    const server = await receiver([400]);
    try {
      const input = { ...(await registration()), connector: { connector: 'webhook' as const, url: server.url } };
      const run = await worker.run('exportRegistration', [input], EXPORT_PROFILE);
      expect(run.attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'failed']]);
      expect(run.historyAttempt).toBe(1);
      expect(run.failure).toMatchObject({ type: 'ExportRejected', nonRetryable: true });
      expect(server.received).toHaveLength(1);
      const attempts = await listExportAttempts(orm.em.fork(), input.tenantId, input.requestId);
      expect(attempts.map((a) => [a.status, a.httpStatus])).toEqual([['rejected', 400]]);
    } finally {
      await server.close();
    }
  });

  it('treats an unreachable receiver as retryable and refuses a forged or stale signature', async () => {
    const server = await receiver([]);
    await server.close();
    const input = { ...(await registration()), connector: { connector: 'webhook' as const, url: server.url } };
    await expect(activities.exportRegistration(input)).rejects.toMatchObject({ type: 'ExportReceiverUnavailable', nonRetryable: false });
    const now = 1_800_000_000;
    const { signPayload } = await import('@/integrations/exports/webhook');
    expect(verifySignature(SECRET, signPayload(SECRET, now, '{"a":1}'), '{"a":1}', now)).toBe(true);
    expect(verifySignature(SECRET, signPayload(SECRET, now, '{"a":1}'), '{"a":2}', now)).toBe(false);
    expect(verifySignature(SECRET, signPayload('autre', now, '{"a":1}'), '{"a":1}', now)).toBe(false);
    expect(verifySignature(SECRET, signPayload(SECRET, now - 3600, '{"a":1}'), '{"a":1}', now)).toBe(false);
  });
});

describe('file drop connector', () => {
  it('writes one CSV per request atomically and idempotently', async () => {
    const input = { ...(await registration()), connector: { connector: 'file' as const, format: 'csv' as const, directory: 'centre-loisirs' } };
    await activities.exportRegistration(input);
    await activities.exportRegistration(input);
    const files = await fs.readdir(path.join(dir, 'centre-loisirs'));
    expect(files).toEqual([`${input.reference}.csv`]);
    const text = await fs.readFile(path.join(dir, 'centre-loisirs', files[0]), 'utf8');
    const [header, row] = text.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(header.split(';')).toEqual(expect.arrayContaining(['reference', 'commune', 'nomEnfant', 'adresse.commune', 'activites']));
    expect(row).toContain(`${input.reference};demo;centre-loisirs;1;`);
    expect(row).toContain('Léo');
    expect(row).toContain('piscine|poney');
    const attempts = await listExportAttempts(orm.em.fork(), input.tenantId, input.requestId);
    expect(attempts.map((a) => a.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('writes JSON, and refuses a folder outside the export root', async () => {
    const input = { ...(await registration()), connector: { connector: 'file' as const, format: 'json' as const, directory: 'json' } };
    await activities.exportRegistration(input);
    const json = JSON.parse(await fs.readFile(path.join(dir, 'json', `${input.reference}.json`), 'utf8'));
    expect(json).toMatchObject({ reference: input.reference, data: REGISTRATION });
    const escape = { ...input, connector: { connector: 'file' as const, format: 'json' as const, directory: '../../etc' } };
    await expect(activities.exportRegistration(escape)).rejects.toMatchObject({ type: 'ExportMisconfigured', nonRetryable: true });
  });
});

describe('PostgreSQL connector', () => {
  it('inserts into a table of another database once, even when retried', async () => {
    const input = await registration();
    const first = await activities.exportRegistration(input);
    const again = await activities.exportRegistration(input);
    expect(first).toEqual({ connector: 'database', target: 'inscriptions_centre_loisirs', status: 'exported' });
    expect(again.status).toBe('already_exported');
    const client = new pg.Client({ connectionString: exportDbUrl });
    await client.connect();
    const { rows } = await client.query('select * from inscriptions_centre_loisirs where reference = $1', [input.reference]);
    await client.end();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ commune: 'demo', formulaire: 'centre-loisirs', version: 1, donnees: REGISTRATION });
  });

  it('records a missing table as a final refusal, and a re-export succeeds once the table exists; a bad table name is final', async () => {
    const input = { ...(await registration()), connector: { connector: 'database' as const, table: 'inscriptions_tardives' } };
    await expect(activities.exportRegistration(input)).rejects.toMatchObject({ type: 'ExportRejected', nonRetryable: true });
    const client = new pg.Client({ connectionString: exportDbUrl });
    await client.connect();
    await client.query(EXPORT_TABLE_DDL('inscriptions_tardives'));
    await client.end();
    expect(await activities.exportRegistration(input)).toMatchObject({ status: 'exported' });
    const attempts = await listExportAttempts(orm.em.fork(), input.tenantId, input.requestId);
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([[1, 'rejected'], [2, 'succeeded']]);
    const bad = { ...input, connector: { connector: 'database' as const, table: 'x; drop table request' } };
    await expect(activities.exportRegistration(bad)).rejects.toMatchObject({ type: 'ExportMisconfigured' });
  });

  it('retries when the export database is unreachable', async () => {
    const offline = createExportActivities({ orm, exportDir: dir, exportDatabaseUrl: 'postgres://relais@127.0.0.1:1/none', webhookSecrets: {} });
    try {
      const input = await registration();
      await expect(offline.exportRegistration(input)).rejects.toMatchObject({ type: 'ExportReceiverUnavailable', nonRetryable: false });
    } finally {
      await offline.closeExportConnections();
    }
  });
});
