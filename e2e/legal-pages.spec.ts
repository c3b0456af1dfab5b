import { consoleLogin, expect, test } from './fixtures';

test('every portal page links the privacy page and the accessibility statement, which show the configured texts', async ({ page, browser, axeClean, snapshot }) => {
  await test.step('the footer links exist on the portal pages', async () => {
    for (const path of ['/t/demo', '/t/demo/question', '/t/demo/suivi']) {
      await page.goto(path);
      const legal = page.getByRole('navigation', { name: 'Informations légales' });
      await expect(legal.getByRole('link', { name: 'Politique de confidentialité' })).toHaveAttribute('href', '/t/demo/confidentialite');
      await expect(legal.getByRole('link', { name: /^Accessibilité : / })).toHaveAttribute('href', '/t/demo/accessibilite');
    }
  });

  await test.step('the privacy page shows the controller, the retention durations and the rights', async () => {
    await page.getByRole('navigation', { name: 'Informations légales' }).getByRole('link', { name: 'Politique de confidentialité' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Politique de confidentialité' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Responsable du traitement' })).toContainText('Ville de Démo');
    await expect(page.getByRole('region', { name: 'Responsable du traitement' })).toContainText('Délégué à la protection des données : joignable aux coordonnées de la commune');
    const retention = page.getByRole('region', { name: 'Durées de conservation' });
    await expect(retention.getByRole('row', { name: /Demandes closes/ })).toContainText('2 ans après la clôture');
    await expect(retention.getByRole('row', { name: /Journal des actions/ })).toContainText('5 ans');
    await expect(page.getByRole('region', { name: 'Vos droits' })).toContainText('CNIL');
    await snapshot(page, 'portal-privacy');
    await axeClean(page);
  });

  await test.step('the accessibility statement follows the RGAA model', async () => {
    await page.goto('/t/demo/accessibilite');
    await expect(page.getByRole('heading', { level: 1, name: 'Déclaration d’accessibilité' })).toBeVisible();
    await expect(page.getByRole('main')).toContainText('Cette déclaration d’accessibilité s’applique au service de relation citoyen de Ville de Démo.');
    await expect(page.getByRole('region', { name: 'État de conformité' })).toContainText('Le service de relation citoyen de Ville de Démo est non conforme avec le référentiel général d’amélioration de l’accessibilité');
    await expect(page.getByRole('region', { name: 'Voies de recours' })).toContainText('Défenseur des droits');
    await snapshot(page, 'portal-accessibility');
    await axeClean(page);
  });

  await test.step('an administrator’s edit shows up, as text', async () => {
    const admin = await consoleLogin(browser, 'admin@ville-demo.fr', 'demo-admin-2026');
    await admin.goto('/console/demo/admin#mentions');
    const form = admin.getByRole('form', { name: 'Textes légaux du portail' });
    await form.getByLabel('État de conformité au RGAA').selectOption('partiellement_conforme');
    await form.getByLabel('Date de l’audit d’accessibilité').fill('2026-03-01');
    await form.getByLabel('Contenus non accessibles (déclaration d’accessibilité)').fill('Le plan interactif des quartiers.\n\n<img src=x onerror=alert(1)>');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await expect(form.getByRole('status')).toHaveText('Modification enregistrée.');

    await page.goto('/t/demo/accessibilite');
    await expect(page.getByRole('region', { name: 'État de conformité' })).toContainText('est partiellement conforme');
    await expect(page.getByRole('region', { name: 'État de conformité' })).toContainText('d’après l’audit réalisé le 1er mars 2026');
    const content = page.getByRole('region', { name: 'Contenus non accessibles' });
    await expect(content).toContainText('Le plan interactif des quartiers.');
    await expect(content).toContainText('<img src=x onerror=alert(1)>');
    await expect(content.locator('img')).toHaveCount(0);
    await expect(page.getByRole('navigation', { name: 'Informations légales' }).getByRole('link', { name: 'Accessibilité : partiellement conforme' })).toBeVisible();
  });
});
