import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';

/** Options of insertRequest; defaults make a demo question with a postal address. */
export interface TestRequestOptions {
  tenant?: string;
  topic?: string;
  kind?: string;
  citizen?: Record<string, string>;
  answer?: string;
  formData?: Record<string, unknown>;
  formVersion?: number;
  replyChannel?: string;
  receivedAt?: Date;
}

/** Inserts a request row straight into the database (no workflow), for activity tests. */
export async function insertRequest(orm: MikroORM, options: TestRequestOptions = {}): Promise<{ id: string; tenantId: string; reference: string }> {
  const em = orm.em.fork();
  const [topic] = await query<{ id: string; tenant_id: string; department_id: string; kind: string }>(
    em,
    'select tp.id, tp.tenant_id, tp.department_id, tp.kind from topic tp join tenant t on t.id = tp.tenant_id where t.slug = ? and tp.slug = ?',
    [options.tenant ?? 'demo', options.topic ?? 'question'],
  );
  if (!topic) throw new Error(`no topic ${options.topic}`);
  const id = randomUUID();
  const reference = `T${Date.now().toString(36).toUpperCase()}-${randomUUID().slice(0, 6).toUpperCase()}`;
  const receivedAt = options.receivedAt ?? new Date('2026-11-23T09:30:00Z');
  await em.getConnection().execute(
    `insert into request (id, tenant_id, reference, tracking_code_hash, kind, channel, reply_channel, topic_id, subject, body, form_data, form_version,
                          citizen, state, department_id, due_at, received_at, answer, workflow_id, created_at, updated_at)
     values (?, ?, ?, 'x', ?, 'form', ?, ?, ?, 'Corps', ?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, now(), now())`,
    [
      id, topic.tenant_id, reference, options.kind ?? topic.kind, options.replyChannel ?? 'post', topic.id, 'Demande de test',
      options.formData ? JSON.stringify(options.formData) : null, options.formVersion ?? null,
      JSON.stringify(options.citizen ?? { name: 'Jeanne Dupont', email: 'jeanne@exemple.fr', postalAddress: '12 rue des Lilas\nBâtiment B\n75011 PARIS' }),
      topic.department_id, new Date(receivedAt.getTime() + 7 * 86_400_000), receivedAt, options.answer ?? null, `test:${id}`,
    ],
  );
  return { id, tenantId: topic.tenant_id, reference };
}

/** The text of a PDF as `pdftotext -layout` reads it, optionally cropped to a rectangle in millimetres. */
export async function pdfText(pdf: Buffer, crop?: { x: number; y: number; width: number; height: number }): Promise<string> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-pdf-'));
  const file = path.join(dir, 'doc.pdf');
  await fs.writeFile(file, pdf);
  const pt = (mm: number) => String(Math.round((mm * 72) / 25.4));
  const area = crop ? ['-x', pt(crop.x), '-y', pt(crop.y), '-W', pt(crop.width), '-H', pt(crop.height)] : [];
  try {
    const { stdout } = await promisify(execFile)('pdftotext', ['-layout', ...area, file, '-']);
    return stdout;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
