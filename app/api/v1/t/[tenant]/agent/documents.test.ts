import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentActivities } from '@/activities/documents/document-activities';
import { createPdfRenderer, type PdfRenderer } from '@/integrations/documents/renderer';
import { insertRequest, pdfText } from '@/activities/documents/test-support';
import { createExportActivities } from '@/activities/exports/export-activities';
import { listAudit } from '@/domain/audit/log';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { closePreviewRenderer } from '@/app/console/_server/pdf';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { GET as adminOverview } from './admin/route';
import { DELETE as adminDelete, POST as adminSave } from './admin/[resource]/route';
import { GET as download } from './requests/[reference]/documents/[documentId]/route';
import { GET as getRequest } from './requests/[reference]/route';

const PASSWORD = 'mot-de-passe-de-test';
let orm: MikroORM;
let renderer: PdfRenderer;
let documents: ReturnType<typeof createDocumentActivities>;
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
let withRecords: { id: string; tenantId: string; reference: string };
let bare: { id: string; tenantId: string; reference: string };
let letterId: string;
let internalId: string;
let otherTenantDocId: string;

/** A local receiver answering the scripted statuses, then 200. */
async function receiver(statuses: number[]) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => new Promise((r) => server.close(r)) };
}

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  for (const t of [tenant, other]) for (const who of ['agent', 'admin']) await setPassword(t.slug, t.mail(who), PASSWORD);
  renderer = createPdfRenderer();
  documents = createDocumentActivities({ orm, renderer, publicUrl: 'http://relais.test' });
  withRecords = await insertRequest(orm, { tenant: tenant.slug, answer: 'Votre demande est acceptée.' });
  bare = await insertRequest(orm, { tenant: tenant.slug });
  const elsewhere = await insertRequest(orm, { tenant: other.slug, answer: 'Autre commune.' });

  const letter = await documents.renderAnswerLetter({ tenantId: withRecords.tenantId, requestId: withRecords.id, idempotencyKey: `letter:${withRecords.id}` });
  letterId = letter.documentId!;
  // An internal document: the same PDF, not shown to the citizen.
  internalId = randomUUID();
  await query(
    orm.em.fork(),
    `insert into document (id, tenant_id, request_id, kind, template, idempotency_key, file_name, content, size, sha256, public, created_at)
     select ?, tenant_id, request_id, 'certificate', template, ?, 'document-interne.pdf', content, size, sha256, false, now() from document where id = ?`,
    [internalId, `internal:${withRecords.id}`, letterId],
  );
  otherTenantDocId = (await documents.renderAnswerLetter({ tenantId: elsewhere.tenantId, requestId: elsewhere.id, idempotencyKey: `letter:${elsewhere.id}` })).documentId!;

  const receiving = await receiver([503]);
  try {
    const exports = createExportActivities({ orm, exportDir: '/nonexistent', webhookSecrets: { default: 'secret-de-test-relais' } });
    const input = { tenantId: withRecords.tenantId, requestId: withRecords.id, idempotencyKey: `export:${withRecords.id}`, connector: { connector: 'webhook' as const, url: receiving.url } };
    await expect(exports.exportRegistration(input)).rejects.toMatchObject({ type: 'ExportReceiverUnavailable' });
    await exports.exportRegistration(input);
    const unsigned = createExportActivities({ orm, exportDir: '/nonexistent', webhookSecrets: {} });
    await expect(unsigned.exportRegistration({ ...input, connector: { connector: 'webhook', url: `${receiving.url}/autre` } })).rejects.toMatchObject({ type: 'ExportMisconfigured' });
    await Promise.all([exports.closeExportConnections(), unsigned.closeExportConnections()]);
  } finally {
    await receiving.close();
  }
});

afterAll(async () => {
  await closePreviewRenderer();
  await renderer?.close();
  await closeAllORMs();
});

describe('agent document download', () => {
  it('sends any document of the request, public or internal, as a PDF download', async () => {
    const cookie = await sessionFor(tenant.slug, tenant.mail('agent'), PASSWORD);
    for (const documentId of [letterId, internalId]) {
      const response = await call(download, { tenant: tenant.slug, reference: withRecords.reference, documentId }, { cookie });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/pdf');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      expect(Buffer.from(await response.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    }
  });

  it('answers 404 for a document of another tenant or another request, and 401 without a session', async () => {
    const cookie = await sessionFor(tenant.slug, tenant.mail('agent'), PASSWORD);
    const get = (reference: string, documentId: string, session?: string) => call(download, { tenant: tenant.slug, reference, documentId }, { cookie: session });
    expect((await get(withRecords.reference, otherTenantDocId, cookie)).status).toBe(404);
    expect((await get(bare.reference, letterId, cookie)).status).toBe(404);
    expect((await get(withRecords.reference, 'pas-un-identifiant', cookie)).status).toBe(404);
    const otherAgent = await sessionFor(other.slug, other.mail('agent'), PASSWORD);
    expect((await get(withRecords.reference, letterId, otherAgent)).status).toBe(404);
    expect((await get(withRecords.reference, letterId)).status).toBe(401);
  });
});

describe('case API', () => {
  it('lists every stored document and every export attempt, in French', async () => {
    const cookie = await sessionFor(tenant.slug, tenant.mail('agent'), PASSWORD);
    const body = await (await call(getRequest, { tenant: tenant.slug, reference: withRecords.reference }, { cookie })).json();
    expect(body.documents).toHaveLength(2);
    expect(body.documents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: letterId,
          kind: 'answer_letter',
          kindLabel: 'Courrier de réponse',
          public: true,
          fileName: `courrier-${withRecords.reference}.pdf`,
          downloadUrl: `/api/v1/t/${tenant.slug}/agent/requests/${withRecords.reference}/documents/${letterId}`,
        }),
        expect.objectContaining({ id: internalId, kindLabel: 'Document demandé', public: false }),
      ]),
    );
    expect(body.exports.map((x: { attempt: number; status: string; statusLabel: string; httpStatus: number | null; outcome: string; connectorLabel: string }) => [x.connectorLabel, x.attempt, x.statusLabel, x.httpStatus, x.outcome])).toEqual([
      ['Service web (webhook)', 1, 'Échec, nouvel essai automatique', 503, 'Le logiciel destinataire est momentanément indisponible (réponse HTTP 503).'],
      ['Service web (webhook)', 2, 'Réussi', 200, 'Données transmises (réponse HTTP 200).'],
      ['Service web (webhook)', 1, 'Refusé, sans nouvel essai', null, 'Connecteur mal configuré : la clé de signature du webhook manque.'],
    ]);
    expect(new Date(body.exports[0].at).getTime()).toBeGreaterThan(0);

    const empty = await (await call(getRequest, { tenant: tenant.slug, reference: bare.reference }, { cookie })).json();
    expect(empty).toMatchObject({ documents: [], exports: [] });
  });
});

describe('document template overrides', () => {
  const save = (cookie: string, body: unknown) => call(adminSave, { tenant: tenant.slug, resource: 'document-templates' }, { method: 'POST', body, cookie });
  const preview = (cookie: string, body: unknown) => call(adminSave, { tenant: tenant.slug, resource: 'document-preview' }, { method: 'POST', body, cookie });
  const reset = (cookie: string, name: string) => call(adminDelete, { tenant: tenant.slug, resource: 'document-templates' }, { method: 'DELETE', cookie, path: `/x?name=${name}` });
  const overview = async (cookie: string) => (await (await call(adminOverview, { tenant: tenant.slug }, { cookie })).json()).documentTemplates as Array<{ name: string; custom: boolean; content: string; variables: string[] }>;
  const OVERRIDE = '<html><body><h1>Courrier officiel de {{tenant.name}}</h1><p>Dossier {{reference}}</p>{{#each recipientLines}}<p>{{this}}</p>{{/each}}<p>{{answer}}</p></body></html>';

  it('lists the built-in templates, previews a version with sample data and refuses template errors with 400', async () => {
    const cookie = await sessionFor(tenant.slug, tenant.mail('admin'), PASSWORD);
    const listed = await overview(cookie);
    expect(listed.map((t) => [t.name, t.custom])).toEqual([['answer-letter', false], ['acknowledgement', false], ['certificate', false], ['quality-report', false], ['payment-receipt', false]]);
    expect(listed[0].content).toContain('Objet : {{subject}}');
    expect(listed[0].variables).toEqual(expect.arrayContaining(['tenant.name', 'reference', 'answer', 'recipientLines']));

    const pdf = await preview(cookie, { name: 'answer-letter', content: OVERRIDE });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = await pdfText(Buffer.from(await pdf.arrayBuffer()));
    expect(text).toContain(`Courrier officiel de Commune ${tenant.slug}`);
    expect(text).toContain('Dossier 2026-000042');
    expect(text).toContain('Jeanne Dupont');

    const broken = await preview(cookie, { name: 'answer-letter', content: '<p>{{#if answer}}sans fin</p>' });
    expect(broken.status).toBe(400);
    expect((await broken.json()).errors).toEqual([{ path: '/content', message: expect.stringMatching(/^Erreur de syntaxe Handlebars \(ligne 1\) : /) }]);
    const cases: Array<[unknown, string, RegExp]> = [
      [{ name: 'answer-letter', content: '<p>{{upper answer}}</p>' }, '/content', /^Fonction inconnue « upper »/],
      [{ name: 'answer-letter', content: '{{> entete}}' }, '/content', /modèles partiels/],
      [{ name: 'answer-letter', content: '   ' }, '/content', /^Saisissez le contenu du modèle\.$/],
      [{ name: 'answer-letter', content: 'x'.repeat(200_001) }, '/content', /200 000 caractères/],
      [{ name: 'inconnu', content: '<p></p>' }, '/name', /^Choisissez un modèle de document\.$/],
      [{ name: 'answer-letter', content: '<p></p>', helpers: 'function x() {}' }, '/helpers', /^Champ inconnu\.$/],
    ];
    for (const [body, path, message] of cases) {
      const response = await save(cookie, body);
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      const { errors } = await response.json();
      expect(errors).toEqual([{ path, message: expect.stringMatching(message) }]);
    }
    expect((await overview(cookie)).every((t) => !t.custom)).toBe(true);
  });

  it('renders letters with the saved version, then with the built-in one after a reset, each change audited', async () => {
    const cookie = await sessionFor(tenant.slug, tenant.mail('admin'), PASSWORD);
    const saved = await save(cookie, { name: 'answer-letter', content: OVERRIDE });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ message: 'Modification enregistrée.' });
    expect((await overview(cookie)).find((t) => t.name === 'answer-letter')).toMatchObject({ custom: true, content: OVERRIDE });

    const letterText = async (key: string) => {
      const ref = await documents.renderAnswerLetter({ tenantId: withRecords.tenantId, requestId: withRecords.id, idempotencyKey: `${key}:${withRecords.id}` });
      const [row] = await query<{ content: Buffer; template: string }>(orm.em.fork(), 'select content, template from document where id = ?', [ref.documentId]);
      return pdfText(row.content);
    };
    const custom = await letterText('custom-letter');
    expect(custom).toContain(`Courrier officiel de Commune ${tenant.slug}`);
    expect(custom).toContain(`Dossier ${withRecords.reference}`);
    expect(custom).not.toContain('Objet :');

    expect((await reset(cookie, 'answer-letter')).status).toBe(204);
    expect((await reset(cookie, 'answer-letter')).status).toBe(404);
    expect((await overview(cookie)).find((t) => t.name === 'answer-letter')?.custom).toBe(false);
    const restored = await letterText('default-letter');
    expect(restored).toContain('Objet : Demande de test');
    expect(restored).not.toContain('Courrier officiel');

    const [{ id: tenantId }] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [tenant.slug]);
    const audit = (await listAudit(orm.em.fork(), tenantId, { target: 'answer-letter' })).map((a) => [a.action, a.agent]);
    expect(audit).toEqual([['admin.document_template.delete', 'Admin'], ['admin.document_template.create', 'Admin']]);
  });

  it('previews without running scripts or reaching the network', async () => {
    const cookie = await sessionFor(tenant.slug, tenant.mail('admin'), PASSWORD);
    const target = await receiver([]);
    try {
      const content = `<script>while (true) {}</script><p>{{reference}}</p><img src="${target.url}/image"><iframe src="${target.url}/cadre"></iframe><link rel="stylesheet" href="${target.url}/style">`;
      const started = Date.now();
      const response = await preview(cookie, { name: 'acknowledgement', content });
      expect(response.status).toBe(200);
      expect(await pdfText(Buffer.from(await response.arrayBuffer()))).toContain('2026-000042');
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(target.hits).toEqual([]);
    } finally {
      await target.close();
    }
  });
});
