import fc from 'fast-check';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { call, sessionFor, setPassword } from '@/app/console/_server/testing';
import { POST as adminSave } from '@/app/api/v1/t/[tenant]/agent/admin/[resource]/route';
import { DEFAULT_ACCESSIBILITY_TEXT, DEFAULT_PRIVACY_TEXT, legalPages, loadLegalPages, paragraphs } from './legal';
import { frenchMonths } from '@/domain/format/french';

const PASSWORD = 'mot-de-passe-de-test';
let orm: MikroORM;
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let tenantId: string;

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  tenant = await createTestTenant();
  for (const who of ['admin', 'dpo']) await setPassword(tenant.slug, tenant.mail(who), PASSWORD);
  [{ id: tenantId }] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [tenant.slug]);
});

afterAll(() => closeAllORMs());

describe('legal pages', () => {
  it('show the default texts, a "non conforme" status and the default retention durations when nothing is set', () => {
    const pages = legalPages({});
    expect(pages.accessibilityStatus).toBe('non_conforme');
    expect(pages.accessibilityStatusLabel).toBe('non conforme');
    expect(pages.privacy).toEqual(paragraphs(DEFAULT_PRIVACY_TEXT));
    expect(pages.accessibility).toEqual(paragraphs(DEFAULT_ACCESSIBILITY_TEXT));
    expect(pages.retention.map((l) => l.duration)).toEqual(['2 ans après la clôture', '1 an après la clôture', '1 an', '1 an après le désabonnement, la demande ou la fin de la campagne', '6 mois', '5 ans']);
  });

  it('show the retention durations the tenant configured', () => {
    const pages = legalPages({ retention: { requestsMonths: 18, documentsMonths: 6, messageLogsMonths: 36, auditYears: 3 } });
    expect(pages.retention.map((l) => l.duration)).toEqual(['18 mois après la clôture', '6 mois après la clôture', '3 ans', '3 ans après le désabonnement, la demande ou la fin de la campagne', '6 mois', '3 ans']);
    expect([frenchMonths(1), frenchMonths(12), frenchMonths(30)]).toEqual(['1 mois', '1 an', '30 mois']);
  });

  it('split an administrator’s text into paragraphs and lines, keeping markup as text', () => {
    expect(paragraphs('Un\r\ndeux\n\n\n  <img src=x onerror=alert(1)>  \n')).toEqual([['Un', 'deux'], ['<img src=x onerror=alert(1)>']]);
  });
});

describe('editing the legal texts', () => {
  it('refuses bad input in French and writes nothing', async () => {
    const admin = await sessionFor(tenant.slug, tenant.mail('admin'), PASSWORD);
    const save = (body: unknown) => call(adminSave, { tenant: tenant.slug, resource: 'legal' }, { method: 'POST', body, cookie: admin });
    const cases: Array<[unknown, string, string]> = [
      [{ accessibilityStatus: 'conforme' }, '/accessibilityStatus', 'Choisissez l’état de conformité.'],
      [{ accessibilityStatus: 'totalement_conforme' }, '/auditDate', 'Un état « partiellement » ou « totalement conforme » repose sur un audit : indiquez sa date.'],
      [{ accessibilityStatus: 'partiellement_conforme', auditDate: '05/03/2026' }, '/auditDate', 'Date au format AAAA-MM-JJ.'],
      [{ privacyText: 'x'.repeat(20001) }, '/privacyText', 'Le texte ne doit pas dépasser 20 000 caractères.'],
    ];
    for (const [body, path, message] of cases) {
      const response = await save(body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect((await response.json()).errors).toContainEqual({ path, message });
    }
    const [row] = await query<{ legal: unknown }>(orm.em.fork(), `select settings->'legal' as legal from tenant where id = ?`, [tenantId]);
    expect(row.legal).toBeNull();
  });

  it('saves the texts and status, shows them on the pages and audits the change as a settings change; an empty text brings the default back', async () => {
    const admin = await sessionFor(tenant.slug, tenant.mail('admin'), PASSWORD);
    const save = (body: unknown) => call(adminSave, { tenant: tenant.slug, resource: 'legal' }, { method: 'POST', body, cookie: admin });
    const saved = await save({ privacyText: 'Nos données.\n\nDeuxième paragraphe', dpoContact: 'dpo@commune.fr', accessibilityStatus: 'partiellement_conforme', auditDate: '2026-03-01', accessibilityText: 'Le plan interactif.' });
    expect(saved.status).toBe(200);
    let pages = await loadLegalPages(orm.em.fork(), tenantId);
    expect(pages).toMatchObject({ privacy: [['Nos données.'], ['Deuxième paragraphe']], dpoContact: 'dpo@commune.fr', accessibility: [['Le plan interactif.']], accessibilityStatusLabel: 'partiellement conforme', auditDate: '1er mars 2026' });

    expect((await save({ accessibilityStatus: 'non_conforme', privacyText: '  ', accessibilityText: '' })).status).toBe(200);
    pages = await loadLegalPages(orm.em.fork(), tenantId);
    expect(pages).toMatchObject({ privacy: paragraphs(DEFAULT_PRIVACY_TEXT), dpoContact: null, accessibility: paragraphs(DEFAULT_ACCESSIBILITY_TEXT), accessibilityStatus: 'non_conforme', auditDate: null });

    const entries = await query<{ target: string; data: { before: unknown; after: unknown } }>(
      orm.em.fork(),
      `select target, data from audit_log where tenant_id = ? and action = 'admin.settings.update' order by at`,
      [tenantId],
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ target: 'legal', data: { before: null, after: { accessibilityStatus: 'partiellement_conforme', auditDate: '2026-03-01' } } });
    expect(entries[1].data).toMatchObject({ before: { privacyText: 'Nos données.\n\nDeuxième paragraphe' }, after: { accessibilityStatus: 'non_conforme' } });
  });

  it('answers 200 or 400, never a 5xx, to any body, and the pages still render', async () => {
    const admin = await sessionFor(tenant.slug, tenant.mail('admin'), PASSWORD);
    const field = fc.oneof(fc.string(), fc.constantFrom('non_conforme', 'partiellement_conforme', 'totalement_conforme', '2026-02-30', '2026-02-28', ''), fc.jsonValue());
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.record({ privacyText: field, accessibilityStatus: field, accessibilityText: field, auditDate: field }, { requiredKeys: [] })), async (body) => {
        const response = await call(adminSave, { tenant: tenant.slug, resource: 'legal' }, { method: 'POST', body, cookie: admin });
        expect([200, 400]).toContain(response.status);
        const pages = await loadLegalPages(orm.em.fork(), tenantId);
        expect(pages.privacy.length).toBeGreaterThan(0);
        expect(['non conforme', 'partiellement conforme', 'totalement conforme']).toContain(pages.accessibilityStatusLabel);
      }),
      { numRuns: 80 },
    );
  });

  it('is for administrators only: the data protection officer gets a 403', async () => {
    const dpo = await sessionFor(tenant.slug, tenant.mail('dpo'), PASSWORD);
    const response = await call(adminSave, { tenant: tenant.slug, resource: 'legal' }, { method: 'POST', body: { accessibilityStatus: 'non_conforme' }, cookie: dpo });
    expect(response.status).toBe(403);
  });
});
