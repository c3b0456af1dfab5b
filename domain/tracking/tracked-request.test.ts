import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { NotFoundError } from '@/domain/validation';
import { createTestTenant, fileRequest } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';
import { trackedRequestId } from './public-view';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let slug: string;
let otherSlug: string;
let reference: string;

beforeAll(async () => {
  const [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  [slug, otherSlug] = [tenant.slug, other.slug];
  reference = (await fileRequest(slug, { contact: { email: citizenEmail(), name: 'Jeanne Dupont' } })).receipt.reference;
});
afterAll(() => closeAllORMs());

describe('tracked request id', () => {
  it('finds the request of a reference within its tenant only', async () => {
    const [row] = await query<{ id: string }>(await em(), 'select r.id from request r join tenant t on t.id = r.tenant_id where t.slug = ? and r.reference = ?', [slug, reference]);
    expect(await trackedRequestId(await em(), slug, reference)).toBe(row.id);
    await expect(trackedRequestId(await em(), otherSlug, reference)).rejects.toBeInstanceOf(NotFoundError);
    await expect(trackedRequestId(await em(), slug, `${reference}9`)).rejects.toBeInstanceOf(NotFoundError);
  });
});
