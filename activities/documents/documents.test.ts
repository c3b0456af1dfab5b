import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { ensureShippedForms } from '@/domain/forms/store';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createDocumentActivities } from './document-activities';
import { createPdfRenderer, type PdfRenderer } from '@/integrations/documents/renderer';
import { setDocumentTemplate } from '@/domain/documents/templates';
import { insertRequest, pdfText } from './test-support';

let orm: MikroORM;
let renderer: PdfRenderer;
let activities: ReturnType<typeof createDocumentActivities>;

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  await ensureShippedForms(orm);
  renderer = createPdfRenderer();
  activities = createDocumentActivities({ orm, renderer, publicUrl: 'http://relais.test', now: () => new Date('2026-11-28T10:00:00Z') });
});

afterAll(async () => {
  await renderer?.close();
  await closeAllORMs();
});

async function pdfOf(documentId: string): Promise<{ content: Buffer; public: boolean; kind: string; file_name: string; sha256: string; size: number }> {
  const [row] = await query<{ content: Buffer; public: boolean; kind: string; file_name: string; sha256: string; size: number }>(
    orm.em.fork(),
    'select content, public, kind, file_name, sha256, size from document where id = ?',
    [documentId],
  );
  return row;
}

describe('document activities (jsreport on the system Chromium)', () => {
  it('prints the answer as a postal letter with the letterhead and the address in the envelope window', async () => {
    const request = await insertRequest(orm, { answer: 'Madame,\n\nVotre demande a été acceptée.\n\nCordialement.' });
    const ref = await activities.renderAnswerLetter({ tenantId: request.tenantId, requestId: request.id, idempotencyKey: `letter:${request.id}`, onlyForPostalReply: true });
    expect(ref).toMatchObject({ created: true });
    const doc = await pdfOf(ref.documentId!);
    expect(doc.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(doc).toMatchObject({ kind: 'answer_letter', public: true, file_name: `courrier-${request.reference}.pdf`, size: doc.content.length });
    const text = await pdfText(doc.content);
    expect(text).toContain('Ville de Démo');
    expect(text).toContain('1 place de la Mairie');
    expect(text).toContain(`Référence : ${request.reference}`);
    expect(text).toContain('Démo, le 28 novembre 2026');
    expect(text).toContain('Objet : Demande de test');
    expect(text).toContain('Votre demande a été acceptée.');
    // DL window: 110 mm from the left, 55 mm from the top, 85 × 33 mm; the whole recipient block is inside it.
    const window = await pdfText(doc.content, { x: 108, y: 53, width: 89, height: 37 });
    expect(window.split('\n').map((l) => l.trim()).filter(Boolean)).toEqual(['Jeanne Dupont', '12 rue des Lilas', 'Bâtiment B', '75011 PARIS']);
  });

  it('returns the same document for the same idempotency key and refuses a letter without address', async () => {
    const request = await insertRequest(orm, { answer: 'Réponse.' });
    const input = { tenantId: request.tenantId, requestId: request.id, idempotencyKey: `letter:${request.id}` };
    const first = await activities.renderAnswerLetter(input);
    const again = await activities.renderAnswerLetter(input);
    expect(again).toEqual({ documentId: first.documentId, created: false });
    const byEmail = await insertRequest(orm, { answer: 'Réponse.', replyChannel: 'email' });
    expect(await activities.renderAnswerLetter({ tenantId: byEmail.tenantId, requestId: byEmail.id, idempotencyKey: `letter:${byEmail.id}`, onlyForPostalReply: true })).toEqual({
      documentId: null,
      skipped: 'reply channel email',
    });
    const noAddress = await insertRequest(orm, { answer: 'Réponse.', citizen: { name: 'Paul', email: 'paul@exemple.fr' } });
    await expect(
      activities.renderAnswerLetter({ tenantId: noAddress.tenantId, requestId: noAddress.id, idempotencyKey: `letter:${noAddress.id}` }),
    ).rejects.toMatchObject({ type: 'InvalidRecipient', nonRetryable: true });
  });

  it('renders the acknowledgement receipt with French dates and the tracking link', async () => {
    const request = await insertRequest(orm, { receivedAt: new Date('2026-05-01T08:00:00Z') });
    const ref = await activities.renderAcknowledgement({ tenantId: request.tenantId, requestId: request.id, idempotencyKey: `ack:${request.id}` });
    const text = await pdfText((await pdfOf(ref.documentId)).content);
    expect(text).toContain('Accusé de réception');
    expect(text).toContain('reçue par Ville de Démo le 1er mai 2026');
    expect(text).toMatch(/Réponse au plus tard le\s+8 mai 2026/);
    expect(text).toContain(`http://relais.test/t/demo/suivi/${request.reference}`);
    expect(text).toContain('Jeanne Dupont');
  });

  it('renders a certificate-style document from the form answers of a document request', async () => {
    const request = await insertRequest(orm, {
      topic: 'acte-naissance',
      formVersion: 1,
      formData: {
        typeActe: 'copie-integrale', qualiteDemandeur: 'titulaire', motif: 'mariage-pacs', nom: 'Dupont', prenoms: 'Jeanne, Marie',
        dateNaissance: '1990-04-12', communeNaissance: 'Démo', nomParent1: 'Dupont', prenomsParent1: 'Louis', parent2Inconnu: true,
        modeDelivrance: 'courrier', adresse: { ligne1: '12 rue des Lilas', codePostal: '75011', commune: 'Paris' }, courriel: 'jeanne@exemple.fr',
      },
    });
    const ref = await activities.renderCertificate({ tenantId: request.tenantId, requestId: request.id, idempotencyKey: `certificate:${request.id}` });
    const doc = await pdfOf(ref.documentId);
    expect(doc.kind).toBe('certificate');
    const text = await pdfText(doc.content);
    expect(text).toContain('Attestation de demande d’acte de naissance');
    expect(text).toMatch(/Type d'acte\s+Copie intégrale/);
    expect(text).toMatch(/Date de naissance\s+12\/04\/1990/);
    expect(text).toMatch(/Le second parent n'est pas\s+Oui/);
    expect(text).toMatch(/Commune de naissance\s+Démo/);
    expect(text).toContain('Fait à Démo, le 28 novembre 2026');
  });

  it('renders the monthly quality report with figures per department', async () => {
    const [tenant] = await query<{ id: string }>(orm.em.fork(), "select id from tenant where slug = 'demo'");
    const ref = await activities.renderQualityReport({
      tenantId: tenant.id,
      month: '2026-11',
      idempotencyKey: `quality:demo:2026-11:${Date.now()}`,
      figures: [
        { department: 'État civil', received: 1234, answered: 1200, medianHours: 30, p90Hours: 96, onTimeShare: 0.94, overdue: 3 },
        { department: 'Urbanisme', received: 80, answered: 60, medianHours: 200, p90Hours: 400, onTimeShare: 0.5, overdue: 12 },
      ],
    });
    const doc = await pdfOf(ref.documentId);
    expect(doc).toMatchObject({ kind: 'quality_report', public: false });
    const text = await pdfText(doc.content);
    expect(text).toContain('Qualité de service — novembre 2026');
    expect(text).toMatch(/État civil\s+1\s?234\s+1\s?200\s+30\s?h\s+4\s?j\s+94\s?%\s+3/);
    expect(text).toMatch(/Urbanisme\s+80\s+60\s+8,3\s?j\s+16,7\s?j\s+50\s?%\s+12/);
    expect(text).toMatch(/Total\s+1\s?314\s+1\s?260/);
  });

  it('uses the tenant override of a template', async () => {
    const request = await insertRequest(orm);
    await setDocumentTemplate(orm.em.fork(), request.tenantId, 'acknowledgement', '<html><body><h1>Récépissé {{tenant.name}}</h1><p>Dossier {{reference}}</p></body></html>');
    try {
      const ref = await activities.renderAcknowledgement({ tenantId: request.tenantId, requestId: request.id, idempotencyKey: `ack:${request.id}` });
      const doc = await pdfOf(ref.documentId);
      const text = await pdfText(doc.content);
      expect(text).toContain('Récépissé Ville de Démo');
      expect(text).toContain(`Dossier ${request.reference}`);
      expect(text).not.toContain('Accusé de réception');
    } finally {
      await orm.em.fork().getConnection().execute("delete from document_template where name = 'acknowledgement'");
    }
  });
});
