import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { consoleLogin, expect, test } from './fixtures';

test('an administrator finds a case view in the audit trail by action and request, downloads the filtered entries as CSV, and sees a retention settings change there', async ({ browser, axeClean, snapshot }) => {
  test.setTimeout(120_000);
  const response = await fetch(`${process.env.E2E_BASE_URL}/api/v1/t/demo/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'urbanisme', subject: `Clôture de jardin ${randomUUID().slice(0, 6)}`, message: 'Faut-il une déclaration ?', contact: { email: `audit-${randomUUID().slice(0, 8)}@exemple.fr` } }),
  });
  expect(response.status).toBe(201);
  const { reference } = await response.json();
  const admin = await consoleLogin(browser, 'admin@ville-demo.fr', 'demo-admin-2026');

  await test.step('opening the case is recorded', async () => {
    await admin.goto(`/console/demo/demandes/${reference}`);
    await expect(admin.getByRole('heading', { level: 1 })).toContainText(reference);
  });

  await test.step('the audit screen filters by action and request', async () => {
    await admin.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Journal d’audit' }).click();
    await expect(admin.getByRole('heading', { level: 1, name: 'Journal d’audit' })).toBeVisible();
    const filters = admin.getByRole('form', { name: 'Filtres du journal' });
    await filters.getByLabel('Action', { exact: true }).selectOption({ label: 'Consultation d’une demande' });
    await filters.getByLabel('Demande', { exact: true }).fill(reference);
    await filters.getByRole('button', { name: 'Filtrer' }).click();
    await expect(admin).toHaveURL(new RegExp(`demande=${reference}`));
    const rows = admin.locator('tbody tr');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('Alice Administratrice');
    await expect(rows.first()).toContainText('Consultation d’une demande');
    await expect(rows.first()).toContainText(reference);
    await expect(rows.first()).toContainText('Effectuée');
    await snapshot(admin, 'console-audit');
    await axeClean(admin);
  });

  await test.step('the CSV holds the filtered entries, and the export is itself in the trail', async () => {
    const download = admin.waitForEvent('download');
    await admin.getByRole('link', { name: 'Exporter en CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^journal-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = fs.readFileSync((await file.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('date;agent;adresse de l’agent;action;code de l’action;cible;résultat;détails');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`Alice Administratrice;admin@ville-demo.fr;Consultation d’une demande;request.view;${reference};Effectuée`);

    await admin.goto('/console/demo/journal');
    const filters = admin.getByRole('form', { name: 'Filtres du journal' });
    await filters.getByLabel('Action', { exact: true }).selectOption({ label: 'Export CSV du journal d’audit' });
    await filters.getByRole('button', { name: 'Filtrer' }).click();
    await expect(admin.locator('tbody tr').first()).toContainText('Export CSV du journal d’audit');
    await expect(admin.locator('tbody tr').first()).toContainText(reference);
  });

  await test.step('the retention durations form refuses a bad value in French, saves, and the change is in the trail', async () => {
    await admin.goto('/console/demo/admin#conservation');
    const form = admin.getByRole('form', { name: 'Durées de conservation' });
    const requests = form.getByLabel('Anonymisation des demandes closes (en mois)');
    const current = await requests.inputValue();
    await requests.fill('0');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await expect(form.getByRole('alert').first()).toContainText('Saisissez un nombre entier de 1 à 120 mois.');
    // The demo tenant's durations are left as they were (the privacy page shows them).
    await requests.fill(current);
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await expect(form.getByRole('status')).toContainText('Durées de conservation enregistrées');
    await axeClean(admin);

    await admin.goto('/console/demo/journal');
    const filters = admin.getByRole('form', { name: 'Filtres du journal' });
    await filters.getByLabel('Action', { exact: true }).selectOption({ label: 'Durées de conservation modifiées' });
    await filters.getByRole('button', { name: 'Filtrer' }).click();
    await expect(admin.locator('tbody tr').first()).toContainText('Alice Administratrice');
  });
});
