import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastClosedMonth } from '@/domain/dashboard/monthly';
import { frenchMonth } from '@/domain/format/french';
import { monthAt } from '@/domain/dashboard/report-month';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant, eventually } from '@/temporal/testing/fixtures';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { GET as download } from './[month]/route';
import { GET as list, POST as generate } from './route';

let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let other: Awaited<ReturnType<typeof createTestTenant>>;
let admin: string;
const PASSWORD = 'mot-de-passe-de-test';
const MONTH = '2026-08';

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  for (const t of [tenant, other]) for (const who of ['admin', 'chef']) await setPassword(t.slug, t.mail(who), PASSWORD);
  admin = await sessionFor(tenant.slug, tenant.mail('admin'), PASSWORD);
});

afterAll(() => closeAllORMs());

async function audited(action: string): Promise<Array<{ target: string; data: Record<string, unknown> }>> {
  const orm = await initORM(env().DATABASE_URL!);
  return query(orm.em.fork(), 'select l.target, l.data from audit_log l join tenant t on t.id = l.tenant_id where t.slug = ? and l.action = ? order by l.at', [tenant.slug, action]);
}

describe('monthly quality reports in the console API', () => {
  it('produces a report through the workflow, lists it, and shows an existing one again', async () => {
    const started = await call(generate, { tenant: tenant.slug }, { method: 'POST', body: { month: MONTH }, cookie: admin });
    expect(started.status).toBe(202);
    expect(await started.json()).toMatchObject({ status: 'started', month: MONTH, label: 'août 2026', message: expect.stringContaining('en cours de production') });

    const reports = await eventually(async () => {
      const { reports } = await (await call(list, { tenant: tenant.slug }, { cookie: admin })).json();
      expect(reports).toHaveLength(1);
      return reports;
    }, 60_000);
    expect(reports[0]).toMatchObject({ month: MONTH, label: 'août 2026', downloadUrl: `/api/v1/t/${tenant.slug}/agent/reports/${MONTH}` });

    const again = await call(generate, { tenant: tenant.slug }, { method: 'POST', body: { month: MONTH }, cookie: admin });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'exists', message: 'Le rapport d’août 2026 existe déjà : il figure dans la liste.' });
    expect((await audited('quality_report.generate')).map((a) => [a.target, a.data.status])).toEqual([
      [MONTH, 'started'],
      [MONTH, 'exists'],
    ]);
  });

  it('downloads the PDF for an administrator of the tenant only', async () => {
    await eventually(async () => expect((await call(download, { tenant: tenant.slug, month: MONTH }, { cookie: admin })).status).toBe(200), 60_000);
    const response = await call(download, { tenant: tenant.slug, month: MONTH }, { cookie: admin });
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="rapport-qualite-${MONTH}.pdf"`);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(Buffer.from(await response.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await audited('quality_report.download')).map((a) => a.target)).toContain(MONTH);

    const otherAdmin = await sessionFor(other.slug, other.mail('admin'), PASSWORD);
    expect((await call(download, { tenant: tenant.slug, month: MONTH }, { cookie: otherAdmin })).status).toBe(404);
    // The other municipality has no report for that month: its own URL does not reach ours.
    expect((await call(download, { tenant: other.slug, month: MONTH }, { cookie: otherAdmin })).status).toBe(404);
    expect((await (await call(list, { tenant: other.slug }, { cookie: otherAdmin })).json()).reports).toEqual([]);
    // The report covers every department: a head of department, who sees only their own, is refused.
    const head = await sessionFor(tenant.slug, tenant.mail('chef'), PASSWORD);
    expect((await call(download, { tenant: tenant.slug, month: MONTH }, { cookie: head })).status).toBe(403);
  });

  it('answers 400 with a French field error for a malformed or unfinished month', async () => {
    const latest = lastClosedMonth('Europe/Paris');
    const unfinished = `Choisissez un mois terminé : ${frenchMonth(latest)} au plus tard.`;
    const malformed = 'Indiquez un mois au format AAAA-MM, par exemple 2026-10.';
    const cases: Array<[string, string]> = [
      ['2026-13', malformed],
      ['août-2026', malformed],
      [monthAt(new Date(), 'Europe/Paris'), unfinished],
      ['2099-01', unfinished],
    ];
    for (const [month, message] of cases) {
      const got = await call(download, { tenant: tenant.slug, month }, { cookie: admin });
      expect(got.status, month).toBe(400);
      expect(await got.json()).toEqual({ errors: [{ path: '/month', message }] });
      const posted = await call(generate, { tenant: tenant.slug }, { method: 'POST', body: { month }, cookie: admin });
      expect(posted.status, month).toBe(400);
      expect(await posted.json()).toEqual({ errors: [{ path: '/month', message }] });
    }
    const empty = await call(generate, { tenant: tenant.slug }, { method: 'POST', body: {}, cookie: admin });
    expect(await empty.json()).toEqual({ errors: [{ path: '/month', message: malformed }] });
    expect((await call(download, { tenant: tenant.slug, month: latest }, { cookie: admin })).status).toBe(404);
  });
});
