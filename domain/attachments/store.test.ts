import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { citizenEmail } from '@/temporal/testing/helpers';
import { createTestTenant, fileRequest } from '@/temporal/testing/fixtures';
import { InputError } from '@/domain/validation';
import { pendingAttachments, purgeAbandonedUploads, readAttachment, requestAttachments, storePendingFiles } from './store';

afterAll(() => closeAllORMs());

const pdf = new TextEncoder().encode('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');

async function tenantId(slug: string): Promise<string> {
  const orm = await initORM(env().DATABASE_URL!);
  const [row] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [slug]);
  return row.id;
}

describe('attachments of a citizen request', () => {
  it('stores checked files apart, links them at intake and reads them back with their hash', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const { slug } = await createTestTenant();
    const stored = await storePendingFiles(orm.em.fork(), await tenantId(slug), [{ name: 'plan.pdf', bytes: pdf }]);
    expect(stored[0]).toMatchObject({ name: 'plan.pdf', type: 'application/pdf', size: pdf.length });
    expect(await pendingAttachments(orm.em.fork(), await tenantId(slug), [stored[0].id])).toHaveLength(1);

    const { receipt } = await fileRequest(slug, { contact: { email: citizenEmail() }, attachments: [stored[0].id], consent: true });
    const [request] = await query<{ id: string; consent_at: Date | null }>(orm.em.fork(), 'select id, consent_at from request where reference = ? and tenant_id = ?', [
      receipt.reference,
      await tenantId(slug),
    ]);
    expect(request.consent_at).not.toBeNull();
    expect((await requestAttachments(orm.em.fork(), request.id)).map((a) => a.id)).toEqual([stored[0].id]);
    const file = await readAttachment(orm.em.fork(), request.id, stored[0].id);
    expect(Buffer.from(file.content).equals(Buffer.from(pdf))).toBe(true);
    expect(await pendingAttachments(orm.em.fork(), await tenantId(slug), [stored[0].id])).toEqual([]);
  });

  it('refuses an id already used or belonging to another tenant, and files nothing', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const { slug } = await createTestTenant();
    const other = await createTestTenant();
    const [foreign] = await storePendingFiles(orm.em.fork(), await tenantId(other.slug), [{ name: 'x.pdf', bytes: pdf }]);
    const count = async () => (await query<{ n: number }>(orm.em.fork(), 'select count(*)::int as n from request where tenant_id = ?', [await tenantId(slug)]))[0].n;
    const before = await count();
    const error = await fileRequest(slug, { contact: { email: citizenEmail() }, attachments: [foreign.id] }).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.errors[0]).toMatchObject({ path: '/attachments' });
    expect(await count()).toBe(before);
    expect(await pendingAttachments(orm.em.fork(), await tenantId(other.slug), [foreign.id])).toHaveLength(1);
  });

  it('refuses a file whose content is not what its name says', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const { slug } = await createTestTenant();
    await expect(storePendingFiles(orm.em.fork(), await tenantId(slug), [{ name: 'photo.png', bytes: pdf }])).rejects.toBeInstanceOf(InputError);
  });

  it('forgets uploads never linked to a request', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const { slug } = await createTestTenant();
    const [file] = await storePendingFiles(orm.em.fork(), await tenantId(slug), [{ name: 'vieux.pdf', bytes: pdf }]);
    await orm.em.fork().getConnection().execute(`update attachment set created_at = now() - interval '2 days' where id = ?`, [file.id]);
    expect(await purgeAbandonedUploads(orm.em.fork())).toBeGreaterThanOrEqual(1);
    expect(await pendingAttachments(orm.em.fork(), await tenantId(slug), [file.id])).toEqual([]);
  });
});
