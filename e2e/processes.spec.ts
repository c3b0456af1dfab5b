import fs from 'node:fs';
import { validSamples } from '@/forms/samples';
import { consoleLogin, expect, test } from './fixtures';

test('an administrator opens Processus, sees the shipped processes and a diagram, changes the question process’s guaranteed delay, previews, publishes and exports the new version', async ({ browser, axeClean, snapshot }) => {
  test.setTimeout(180_000);
  const admin = await consoleLogin(browser, 'admin@ville-demo.fr', 'demo-admin-2026');
  let before = 0;

  await test.step('the Processus screen lists the shipped processes with their versions', async () => {
    await admin.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Administration' }).click();
    await admin.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Processus' }).click();
    await expect(admin.getByRole('heading', { level: 1, name: 'Processus' })).toBeVisible();
    for (const slug of ['question', 'acte-etat-civil', 'centre-loisirs', 'reservation-salle', 'brochure-touristique', 'signalement']) {
      await expect(admin.locator(`section[data-process="${slug}"]`)).toBeVisible();
    }
    await expect(admin.locator('section[data-process="acte-etat-civil"]')).toContainText('Demande d\'acte de naissance');
    await snapshot(admin, 'console-processes');
    await axeClean(admin);
  });

  await test.step('every shipped process shows its diagram', async () => {
    for (const slug of ['question', 'acte-etat-civil', 'centre-loisirs', 'reservation-salle', 'brochure-touristique', 'signalement']) {
      await admin.goto(`/console/demo/admin/processus/${slug}`);
      await expect(admin.getByRole('figure', { name: /Schéma du processus/ }).locator('svg g.step').first()).toBeVisible();
      await snapshot(admin, `console-process-diagram-${slug}`);
    }
    await admin.goto('/console/demo/admin/processus');
  });

  await test.step('one process shows its diagram, its text alternative and its steps', async () => {
    await admin.getByRole('link', { name: 'Question à la mairie' }).click();
    await expect(admin.getByRole('heading', { level: 1, name: 'Processus « Question à la mairie »' })).toBeVisible();
    const figure = admin.getByRole('figure', { name: /Schéma du processus « Question à la mairie »/ });
    await expect(figure.locator('svg g.step')).toHaveCount(6);
    await expect(figure.getByRole('img', { name: 'Processus « Question à la mairie »' })).toBeVisible();
    await expect(figure.locator('figcaption li')).toHaveCount(6);
    await expect(admin.getByRole('table', { name: 'Étapes' })).toContainText('Valider la réponse');
    before = Number(await admin.getByTestId('version-en-vigueur').textContent());
    await snapshot(admin, 'console-process-question');
    await axeClean(admin);
  });

  await test.step('a wrong delay is refused with its field error, nothing published', async () => {
    const delay = admin.getByRole('group', { name: 'Délai garanti annoncé à l’usager' });
    await delay.getByLabel('Durée').fill('dix jours');
    await admin.getByRole('button', { name: 'Prévisualiser' }).click();
    const refused = admin.getByRole('alert').filter({ hasText: 'rien n’a été enregistré' });
    await expect(refused).toBeVisible();
    await expect(refused).toContainText('/guaranteedDelay/delay');
    await expect(admin.getByRole('group', { name: 'Délai garanti annoncé à l’usager' }).locator('.alert.error')).toBeVisible();
    await expect(admin.getByRole('button', { name: 'Publier comme nouvelle version' })).toBeDisabled();
  });

  await test.step('the new delay is previewed with the guaranteed date of a request filed now, then published', async () => {
    const delay = admin.getByRole('group', { name: 'Délai garanti annoncé à l’usager' });
    await delay.getByLabel('Durée').fill('P10D');
    await delay.getByLabel('En jours ouvrés').check();
    await admin.getByRole('button', { name: 'Prévisualiser' }).click();
    await expect(admin.getByRole('status').filter({ hasText: 'Aperçu prêt' })).toBeVisible();
    await expect(admin.getByRole('heading', { level: 3, name: 'Aperçu' })).toBeVisible();
    await expect(admin.getByText('Délai garanti : 10 jours ouvrés')).toBeVisible();
    await expect(admin.getByTestId('apercu-date')).toHaveText(/\d{4}/);
    await snapshot(admin, 'console-process-preview');
    await axeClean(admin);
    await admin.getByRole('button', { name: 'Publier comme nouvelle version' }).click();
    await expect(admin.getByRole('status').filter({ hasText: `Version ${before + 1} publiée` })).toBeVisible();
    await expect(admin.getByTestId('version-en-vigueur')).toHaveText(String(before + 1));
    await expect(admin.locator(`tr[data-version="${before + 1}"]`)).toContainText('de la commune');
    await expect(admin.locator(`tr[data-version="${before + 1}"]`)).toContainText('Alice Administratrice');
  });

  await test.step('the same settings again make no new version', async () => {
    await admin.reload();
    await admin.getByRole('button', { name: 'Prévisualiser' }).click();
    await expect(admin.getByRole('status').filter({ hasText: 'ne créerait pas de nouvelle version' })).toBeVisible();
  });

  await test.step('the new version downloads as JSON', async () => {
    const download = admin.waitForEvent('download');
    await admin.getByRole('link', { name: `Exporter en JSON la version ${before + 1}` }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`question-v${before + 1}.json`);
    const definition = JSON.parse(fs.readFileSync((await file.path())!, 'utf8'));
    expect(definition).toMatchObject({ slug: 'question', guaranteedDelay: { delay: 'P10D', businessDays: true } });
  });

  await test.step('the list shows the municipality’s version', async () => {
    await admin.getByRole('link', { name: 'Retour aux processus' }).click();
    await expect(admin.locator('section[data-process="question"]')).toContainText(`version en vigueur : ${before + 1} (de la commune)`);
    await snapshot(admin, 'console-processes-after');
  });
});

test('a new guaranteed delay applies to requests filed after its publication; a request filed before keeps its date', async ({ browser, request, snapshot }) => {
  test.setTimeout(180_000);
  const fileBrochureRequest = async (label: string) => {
    const data = { ...validSamples()['brochure-touristique'], courriel: `${label}-${Date.now()}@exemple.fr` };
    const response = await request.post('/api/v1/t/demo/requests', {
      data: { topic: 'brochure-touristique', subject: 'Documentation touristique', message: 'Merci de m’envoyer les brochures.', contact: { email: data.courriel }, data },
    });
    expect(response.status(), await response.text()).toBe(201);
    return (await response.json()) as { reference: string; dueAt: string; trackingUrl: string };
  };
  const daysBetween = (from: number, iso: string) => Math.round((Date.parse(iso) - from) / 86_400_000);
  const admin = await consoleLogin(browser, 'admin@ville-demo.fr', 'demo-admin-2026');

  const filedBefore = Date.now();
  const before = await fileBrochureRequest('avant');
  await test.step('a request filed now is promised the shipped delay of the form’s process (8 calendar days)', async () => {
    expect(daysBetween(filedBefore, before.dueAt)).toBe(8);
  });

  let version = 0;
  await test.step('the administrator sets the brochure process’s guaranteed delay to 20 days and publishes', async () => {
    await admin.goto('/console/demo/admin/processus/brochure-touristique');
    version = Number(await admin.getByTestId('version-en-vigueur').textContent());
    const delay = admin.getByRole('group', { name: 'Délai garanti annoncé à l’usager' });
    await delay.getByLabel('Durée').fill('P20D');
    await delay.getByLabel('En jours ouvrés').uncheck();
    await admin.getByRole('button', { name: 'Prévisualiser' }).click();
    await expect(admin.getByRole('status').filter({ hasText: 'Aperçu prêt' })).toBeVisible();
    await admin.getByRole('button', { name: 'Publier comme nouvelle version' }).click();
    await expect(admin.getByRole('status').filter({ hasText: `Version ${version + 1} publiée` })).toBeVisible();
  });

  const filedAfter = Date.now();
  const after = await fileBrochureRequest('apres');
  await test.step('a request filed after the publication is promised 20 days, the earlier one keeps 8', async () => {
    expect(daysBetween(filedAfter, after.dueAt)).toBe(20);
    for (const [receipt, days] of [[before, 8], [after, 20]] as const) {
      const tracking = new URL(receipt.trackingUrl);
      await admin.goto(tracking.pathname + tracking.search);
      const promised = admin.locator('dt', { hasText: 'Réponse au plus tard le' }).locator('xpath=following-sibling::dd[1]');
      await expect(promised).toContainText(new Date(receipt.dueAt).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' }));
      expect(daysBetween(days === 8 ? filedBefore : filedAfter, receipt.dueAt)).toBe(days);
    }
    await snapshot(admin, 'tracking-after-process-change');
  });

  await test.step('each case page names the process version it follows and its current step', async () => {
    await admin.goto(`/console/demo/demandes/${before.reference}`);
    await expect(admin.locator('dt', { hasText: 'Processus' }).locator('xpath=following-sibling::dd[1]')).toContainText(`brochure-touristique (version ${version})`);
    await admin.goto(`/console/demo/demandes/${after.reference}`);
    await expect(admin.locator('dt', { hasText: 'Processus' }).locator('xpath=following-sibling::dd[1]')).toContainText(`brochure-touristique (version ${version + 1})`);
    await expect(admin.getByTestId('process-step')).toContainText('Préparer');
    await expect(admin.getByRole('button', { name: 'Prendre en charge' })).toBeVisible();
    await snapshot(admin, 'console-case-process-step');
  });
});
