import type { EntityManager } from '@mikro-orm/postgresql';
import { DOCUMENT_KIND_LABELS, listRequestDocuments } from '@/domain/documents/store';
import { listExportAttempts, type ExportAttempt } from '@/domain/exports/attempts';

/** A stored PDF of a request as the case page lists it. */
export interface CaseDocument {
  id: string;
  kind: string;
  kindLabel: string;
  fileName: string;
  size: number;
  public: boolean;
  createdAt: string;
  downloadUrl: string;
}

/** An export attempt as the case page lists it; `outcome` says in French what happened. */
export interface CaseExportAttempt {
  connector: string;
  connectorLabel: string;
  target: string;
  attempt: number;
  status: ExportAttempt['status'];
  statusLabel: string;
  httpStatus: number | null;
  outcome: string;
  error: string | null;
  durationMs: number | null;
  at: string;
}

const CONNECTOR_LABELS: Record<string, string> = {
  webhook: 'Service web (webhook)',
  file: 'Dépôt de fichier',
  database: 'Table PostgreSQL',
};

const STATUS_LABELS: Record<ExportAttempt['status'], string> = {
  succeeded: 'Réussi',
  failed: 'Échec, nouvel essai automatique',
  rejected: 'Refusé, sans nouvel essai',
};

// Connector errors are technical English (see activities/exports); agents read what they mean.
const ERROR_MEANINGS: Array<[RegExp, string]> = [
  [/^Webhook .* unreachable/, 'Le logiciel destinataire est injoignable.'],
  [/^Webhook .* refused the export/, 'Le logiciel destinataire a refusé les données.'],
  [/^Webhook .* answered HTTP/, 'Le logiciel destinataire est momentanément indisponible.'],
  [/^No webhook secret/, 'Connecteur mal configuré : la clé de signature du webhook manque.'],
  [/^No export database/, 'Connecteur mal configuré : aucune base d’export n’est déclarée.'],
  [/^Export folder .* is outside/, 'Connecteur mal configuré : le dossier de dépôt sort du dossier autorisé.'],
  [/^Invalid export table name/, 'Connecteur mal configuré : nom de table invalide.'],
  [/^Export to .* failed/, 'L’écriture dans la base du logiciel métier a échoué.'],
];

/** What an export attempt did, in one French sentence. */
export function exportOutcome(attempt: Pick<ExportAttempt, 'status' | 'httpStatus' | 'error'>): string {
  const http = attempt.httpStatus ? ` (réponse HTTP ${attempt.httpStatus})` : '';
  if (attempt.status === 'succeeded') return `Données transmises${http}.`;
  const meaning = ERROR_MEANINGS.find(([pattern]) => pattern.test(attempt.error ?? ''))?.[1] ?? 'Erreur technique lors de l’export.';
  return http ? `${meaning.replace(/\.$/, '')}${http}.` : meaning;
}

/** Every stored document (public and internal) and every export attempt of a request of this tenant. */
export async function caseRecords(em: EntityManager, tenant: { id: string; slug: string }, request: { id: string; reference: string }) {
  const [documents, attempts] = await Promise.all([listRequestDocuments(em, tenant.id, request.id, false), listExportAttempts(em.fork(), tenant.id, request.id)]);
  return {
    documents: documents.map(
      (d): CaseDocument => ({
        id: d.id,
        kind: d.kind,
        kindLabel: DOCUMENT_KIND_LABELS[d.kind] ?? d.kind,
        fileName: d.fileName,
        size: d.size,
        public: d.public,
        createdAt: d.createdAt.toISOString(),
        downloadUrl: `/api/v1/t/${tenant.slug}/agent/requests/${encodeURIComponent(request.reference)}/documents/${d.id}`,
      }),
    ),
    exports: attempts.map(
      (a): CaseExportAttempt => ({
        connector: a.connector,
        connectorLabel: CONNECTOR_LABELS[a.connector] ?? a.connector,
        target: a.target,
        attempt: a.attempt,
        status: a.status,
        statusLabel: STATUS_LABELS[a.status] ?? a.status,
        httpStatus: a.httpStatus,
        outcome: exportOutcome(a),
        error: a.error,
        durationMs: a.durationMs,
        at: a.at.toISOString(),
      }),
    ),
  };
}
