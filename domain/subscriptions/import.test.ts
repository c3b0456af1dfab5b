import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '@/domain/audit/log';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { InputError } from '@/domain/validation';
import { agentContext, createTestTenant } from '@/temporal/testing/fixtures';
import { subscriptionState } from '@/temporal/testing/subscriptions';
import { upsertLists } from './lists';
import { importSubscribers, parseConsentDate } from './import';

let ctx: { tenantId: string; agentId: string };
let slug: string;
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();

beforeAll(async () => {
  const tenant = await createTestTenant();
  slug = tenant.slug;
  ctx = await agentContext(tenant.slug, tenant.mail('admin'));
  await upsertLists(await em(), ctx.tenantId, [
    { slug: 'alertes', label: 'Alertes', channels: ['sms', 'email'] },
    { slug: 'menus', label: 'Menus', channels: ['email'] },
    { slug: 'fuzz', label: 'Fuzz', channels: ['sms', 'email'] },
  ]);
});
afterAll(() => closeAllORMs());

const run = async (list: string, csv: string, importValidLines = false) => importSubscribers(await em(), { ...ctx, list, csv, fileName: 'abonnes.csv', importValidLines });

async function count(list: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    await em(),
    'select count(*)::int as n from subscription s join subscription_list l on l.id = s.list_id where l.tenant_id = ? and l.slug = ?',
    [ctx.tenantId, list],
  );
  return row.n;
}

describe('CSV import of subscribers', () => {
  it('imports a spreadsheet’s file (BOM, semicolons, French dates) with the consent of each line as proof, and audits it', async () => {
    const csv = '\uFEFFEmail;Téléphone;Date consentement;Source\r\nA.Martin@exemple.fr;;15/03/2024;Formulaire papier accueil\r\n;06 11 22 33 44;2024-04-01;Fête de la commune\r\nb.durand@exemple.fr;07 55 44 33 22;2024-05-02T10:30:00Z;Site web\r\n';
    const report = await run('alertes', csv);
    expect(report).toEqual({ lines: 3, imported: 4, alreadyActive: 0, errors: [], moreErrors: 0, committed: true });
    const martin = await subscriptionState(slug, 'alertes', 'a.martin@exemple.fr');
    expect(martin).toMatchObject({ status: 'active', consent_method: 'import' });
    expect(new Date(martin!.consent_at!).toISOString()).toBe('2024-03-15T12:00:00.000Z');
    expect(martin!.consent_proof).toMatchObject({ via: 'import', source: 'Formulaire papier accueil', fileName: 'abonnes.csv', line: 2, agentId: ctx.agentId });
    expect((await subscriptionState(slug, 'alertes', '+33611223344'))?.status).toBe('active');
    const [entry] = await listAudit(await em(), ctx.tenantId, { target: 'alertes' });
    expect(entry).toMatchObject({ action: 'subscribers.import', data: { fileName: 'abonnes.csv', lines: 3, imported: 4, errors: 0 } });
    // The same file again changes nothing: every address is already active, its first consent kept.
    expect(await run('alertes', csv)).toMatchObject({ imported: 0, alreadyActive: 4, committed: true });
  });

  it('reports every error with line, column and a French message, and imports nothing unless asked to import the valid lines', async () => {
    const csv = [
      'email,telephone,date_consentement,source',
      'ok.un@exemple.fr,,2024-01-10,Accueil',
      'pas-une-adresse,,2024-01-10,Accueil',
      ',06 12,2024-01-10,Accueil',
      'ok.deux@exemple.fr,,31/02/2024,Accueil',
      'ok.trois@exemple.fr,,2099-01-01,Accueil',
      'ok.quatre@exemple.fr,,2024-01-10,',
      'OK.UN@exemple.fr,,2024-01-11,Doublon',
      'ok.cinq@exemple.fr,,2024-01-10,Accueil,colonne en trop',
      ',,2024-01-10,Accueil',
      'ok.six@exemple.fr,,2024-01-10,Accueil',
    ].join('\n');
    const report = await run('menus', csv);
    expect(report.committed).toBe(false);
    expect(report.imported).toBe(0);
    expect(await count('menus')).toBe(0);
    expect(report.errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'email'],
      [4, 'telephone'],
      [5, 'date_consentement'],
      [6, 'date_consentement'],
      [7, 'source'],
      [8, 'email'],
      [9, ''],
      [10, 'email'],
    ]);
    expect(report.errors.find((e) => e.line === 4)!.message).toBe('Numéro de téléphone invalide.');
    expect(report.errors.find((e) => e.line === 8)!.message).toBe('Adresse déjà présente ligne 2.');
    expect(report.errors.find((e) => e.line === 6)!.message).toMatch(/futur/);

    const partial = await run('menus', csv, true);
    expect(partial).toMatchObject({ committed: true, imported: 2 });
    expect(await count('menus')).toBe(2);
  });

  it('never re-subscribes an address that left or sent STOP after its consent date; a STOP before it is lifted', async () => {
    const connection = await em();
    await importSubscribers(connection, { ...ctx, list: 'alertes', csv: 'telephone;date_consentement;source\n07 60 00 00 01;2024-01-01;Accueil\n' });
    await query(connection, "update subscription set status = 'unsubscribed', unsubscribed_at = '2024-06-01' where id = ?", [(await subscriptionState(slug, 'alertes', '+33760000001'))!.id]);
    await query(connection, "insert into sms_opt_out (id, tenant_id, phone, created_at) values (gen_random_uuid(), ?, '+33760000002', '2024-06-01'), (gen_random_uuid(), ?, '+33760000003', '2023-01-01')", [ctx.tenantId, ctx.tenantId]);
    const report = await run('alertes', 'telephone;date_consentement;source\n07 60 00 00 01;2024-02-01;Accueil\n07 60 00 00 02;2024-02-01;Accueil\n07 60 00 00 03;2024-02-01;Accueil\n');
    expect(report.errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'Cette adresse s’est désabonnée après la date du consentement : elle n’est pas réinscrite.'],
      [3, 'Ce numéro a envoyé STOP après la date du consentement : il n’est pas réinscrit.'],
    ]);
    expect(report.committed).toBe(false);
    expect(await run('alertes', 'telephone;date_consentement;source\n07 60 00 00 03;2024-02-01;Accueil\n')).toMatchObject({ committed: true, imported: 1 });
    expect(await query(await em(), "select 1 from sms_opt_out where phone = '+33760000003'")).toEqual([]);
  });

  it('refuses an unknown list, a file without the needed columns, and unreadable CSV, in French', async () => {
    await expect(run('inconnue', 'email;date_consentement;source\n')).rejects.toThrow(InputError);
    expect((await run('menus', 'nom;prenom\nMartin;Anne\n')).errors.map((e) => e.message)).toEqual([
      'L’en-tête doit nommer une colonne email ou telephone.',
      'L’en-tête doit nommer la colonne date_consentement.',
      'L’en-tête doit nommer la colonne source.',
    ]);
    expect((await run('menus', 'email;date_consentement;source\n"a@b.fr;2024-01-01;x\n')).errors[0].message).toMatch(/CSV lisible/);
    expect((await run('menus', '')).errors[0].message).toBe('Le fichier est vide.');
  });

  it('reads consent dates strictly', () => {
    expect(parseConsentDate('29/02/2024')?.toISOString()).toBe('2024-02-29T12:00:00.000Z');
    for (const bad of ['29/02/2023', '2024-13-01', '1/2/2024', '2024-01-01 garbage', 'hier', '']) expect(parseConsentDate(bad), bad).toBeUndefined();
  });

  it('under hostile files: never throws, reports lines within the file and French messages, writes nothing when not committed', async () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('a@exemple.fr', '06 12 34 56 78', '2024-01-01', '15/03/2024', '=cmd|"/c calc"!A1', '"', '""', ';', ',', '\u0000', '\ud800', '\r', '\n', 'Formulaire'),
    );
    const header = fc.shuffledSubarray(['email', 'telephone', 'date_consentement', 'source', 'autre'], { minLength: 0 });
    const file = fc.tuple(header, fc.array(fc.array(cell, { maxLength: 6 }), { maxLength: 15 }), fc.constantFrom(';', ','), fc.constantFrom('\n', '\r\n')).map(([columns, rows, sep, eol]) =>
      [columns.join(sep), ...rows.map((row) => row.join(sep))].join(eol),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(file, fc.string({ maxLength: 300 })), async (csv) => {
        const before = await count('fuzz');
        const report = await run('fuzz', csv);
        const physicalLines = csv.split(/\r\n|\r|\n/).length;
        for (const error of report.errors) {
          expect(error.line).toBeGreaterThanOrEqual(0);
          expect(error.line).toBeLessThanOrEqual(physicalLines + 1);
          expect(error.message).toMatch(/[a-zéèàç]/i);
        }
        if (!report.committed) expect(await count('fuzz')).toBe(before);
        else expect(report.errors).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
