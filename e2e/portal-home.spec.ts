import { expect, test } from './fixtures';

test('the demo municipality portal shows its topics and delays, accessibly', async ({ page, axeClean, snapshot }) => {
  await page.goto('/t/demo');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Ville de Démo');
  await expect(page.getByRole('cell', { name: "Demande d'acte d'état civil" })).toBeVisible();
  await expect(page.getByRole('cell', { name: '5 jours ouvrés', exact: true })).toBeVisible();
  await snapshot(page, 'portal-home');
  await axeClean(page);
});
