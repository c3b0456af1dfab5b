import { afterAll, describe, expect, it } from 'vitest';
import { closeAllORMs } from '@/domain/orm';
import { GET } from './health/route';

afterAll(() => closeAllORMs());

describe('GET /api/health', () => {
  it('reports every dependency green when the stack runs', async () => {
    const response = await GET();
    const body = await response.json();
    expect(body.checks.database).toMatchObject({ ok: true });
    expect(body.checks.database.detail).toMatch(/^PostgreSQL \d+/);
    expect(body.checks.temporal.detail).toMatch(/^Temporal server 1\.\d+/);
    expect(body.checks.worker).toMatchObject({ ok: true });
    expect(body.checks.smtp).toMatchObject({ ok: true });
    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
  });
});
