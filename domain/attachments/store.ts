// Attachments in the database: stored pending at upload, linked to a request at intake, read back by its agents.
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';
import { InputError, NotFoundError, isUuid } from '@/domain/validation';
import { ATTACHMENT_LIMITS, checkFiles, safeFileName, sniffType, type IncomingFile } from './upload-checks';

/** An attachment without its content. */
export interface AttachmentInfo {
  id: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  origin: string;
}

/** Stores checked files as pending uploads of a tenant (linked to a request by the intake); returns their ids. */
export async function storePendingFiles(em: EntityManager, tenantId: string, files: IncomingFile[], origin = 'citizen'): Promise<AttachmentInfo[]> {
  const errors = checkFiles(files);
  if (errors.length) throw new InputError(errors);
  const stored: AttachmentInfo[] = [];
  for (const file of files) {
    const info = {
      id: randomUUID(),
      name: safeFileName(file.name),
      type: sniffType(file.bytes)!.type,
      size: file.bytes.length,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      origin,
    };
    await em.getConnection().execute(
      'insert into attachment (id, tenant_id, request_id, origin, name, type, size, sha256, content, created_at) values (?, ?, null, ?, ?, ?, ?, ?, ?, now())',
      [info.id, tenantId, origin, info.name, info.type, info.size, info.sha256, Buffer.from(file.bytes)],
    );
    stored.push(info);
  }
  return stored;
}

/** Pending uploads of a tenant by id (for a form shown again after an error); unknown or used ids are skipped. */
export async function pendingAttachments(em: EntityManager, tenantId: string, ids: string[]): Promise<AttachmentInfo[]> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return [];
  return query<AttachmentInfo>(
    em,
    `select id, name, type, size, sha256, origin from attachment where tenant_id = ? and request_id is null and id in (${valid.map(() => '?').join(', ')}) order by created_at, name`,
    [tenantId, ...valid],
  );
}

/** Links pending uploads to a new request inside the caller's transaction (`em` of `transactional`); refuses ids that are unknown, foreign or already used. */
export async function linkAttachments(em: EntityManager, tenantId: string, requestId: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  if (ids.length > ATTACHMENT_LIMITS.maxFiles) throw new InputError([{ path: '/attachments', message: `Vous pouvez joindre au plus ${ATTACHMENT_LIMITS.maxFiles} fichiers.` }]);
  const unique = [...new Set(ids)];
  // The caller's transaction context is passed on: raw SQL would otherwise run outside the intake transaction.
  const linked: Array<{ id: string }> = unique.every(isUuid)
    ? await em
        .getConnection()
        .execute(
          `update attachment set request_id = ? where tenant_id = ? and request_id is null and id in (${unique.map(() => '?').join(', ')}) returning id`,
          [requestId, tenantId, ...unique],
          'all',
          em.getTransactionContext(),
        )
    : [];
  if (linked.length !== unique.length) throw new InputError([{ path: '/attachments', message: 'Une pièce jointe est introuvable ou déjà utilisée : merci de la joindre à nouveau.' }]);
}

/** Attachments of a request, oldest first, without content. */
export async function requestAttachments(em: EntityManager, requestId: string): Promise<AttachmentInfo[]> {
  return query<AttachmentInfo>(em, 'select id, name, type, size, sha256, origin from attachment where request_id = ? order by created_at, name', [requestId]);
}

/** One attachment of a request with its content; NotFoundError otherwise. */
export async function readAttachment(em: EntityManager, requestId: string, attachmentId: string): Promise<AttachmentInfo & { content: Buffer }> {
  if (!isUuid(attachmentId)) throw new NotFoundError('Unknown attachment');
  const [row] = await query<AttachmentInfo & { content: Buffer }>(
    em,
    'select id, name, type, size, sha256, origin, content from attachment where request_id = ? and id = ?',
    [requestId, attachmentId],
  );
  if (!row) throw new NotFoundError('Unknown attachment');
  return row;
}

/** Forgets uploads never linked to a request (abandoned forms) after a day. */
export async function purgeAbandonedUploads(em: EntityManager, olderThanHours = 24): Promise<number> {
  const rows = await query<{ id: string }>(em, `delete from attachment where request_id is null and created_at < now() - make_interval(hours => ?) returning id`, [olderThanHours]);
  return rows.length;
}
