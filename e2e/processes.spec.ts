import fs from 'node:fs';
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
