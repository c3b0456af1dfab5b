import { expect, test } from './fixtures';

test.describe('portal home and tenant resolution', () => {
  test('the demo municipality portal shows what it offers, its contact and delays, accessibly', async ({ page, axeClean, snapshot }) => {
    await page.goto('/t/demo');
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Ville de Démo');
    await expect(page.getByRole('link', { name: 'Poser une question' }).first()).toBeVisible();
    await expect(page.getByRole('link', { name: "S'abonner aux alertes" })).toHaveAttribute('href', '/t/demo/abonnements');
    await expect(page.getByRole('cell', { name: "Demande d'acte d'état civil" })).toBeVisible();
    await expect(page.getByRole('cell', { name: '5 jours ouvrés', exact: true }).first()).toBeVisible();
    await expect(page.getByRole('cell', { name: 'SMS au maire' })).toHaveCount(0);
    await expect(page.locator('address')).toContainText('01 23 45 67 89');
    await expect(page.getByRole('contentinfo').getByRole('link', { name: 'Site internet de la commune' })).toHaveAttribute('href', 'https://www.ville-demo.fr');
    await snapshot(page, 'portal-home');
    await axeClean(page);
  });

  test('a municipality host name serves its portal at the root', async ({ page, baseURL }) => {
    const port = new URL(baseURL!).port;
    // Chromium resolves every *.localhost name to the loopback address.
    await page.goto(`http://demo.localhost:${port}/`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Ville de Démo');
    await page.goto(`http://demo.localhost:${port}/suivi`);
    await expect(page.getByRole('heading', { level: 1, name: 'Suivre une demande' })).toBeVisible();
  });

  test('an unknown municipality gets a French 404 page', async ({ page, axeClean, snapshot }) => {
    const response = await page.goto('/t/nulle-part');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page introuvable');
    await expect(page).toHaveTitle(/Page introuvable/);
    await snapshot(page, 'portal-404');
    await axeClean(page);
  });

  test('the portal stays usable at 200 % zoom on a small screen', async ({ page, axeClean, snapshot }) => {
    // A 1280 × 800 screen at 200 % zoom lays pages out in 640 × 400 CSS pixels.
    await page.setViewportSize({ width: 640, height: 400 });
    await page.goto('/t/demo/question');
    const wider = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`),
    );
    expect(wider).toEqual([]);
    await snapshot(page, 'portal-question-zoom-200');
    await axeClean(page);
  });
});
