import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { TEST_CARDS } from '@/dev/payfip-simulator/simulator';
import { expect, test } from './fixtures';

test('a citizen buys two theatre seats from the catalogue, pays on PayFiP (simulator) and sees the purchase paid', async ({ page, axeClean, snapshot }) => {
  test.setTimeout(120_000);
  const email = `spectateur-${randomUUID().slice(0, 8)}@exemple.fr`;
  const show = 'Théâtre : « Le Cid » (samedi 14 mars 2027, 20 h 30)';
  let seatsBefore = 0;

  await test.step('the home page leads to the catalogue: prices in euros and the seats left', async () => {
    await page.goto('/t/demo');
    await page.getByRole('link', { name: 'Payer en ligne' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Payer en ligne' })).toBeVisible();
    const tile = page.locator('[data-product="theatre-le-cid"]');
    await expect(tile).toContainText('12,00 € l’unité');
    seatsBefore = Number((/Places restantes : ([\d  ]+)/.exec((await tile.textContent()) ?? '')?.[1] ?? '').replace(/\D/g, ''));
    expect(seatsBefore).toBeGreaterThanOrEqual(2);
    await expect(page.locator('[data-product="tickets-cantine"]')).toContainText('selon le quotient familial');
    await snapshot(page, 'purchase-catalogue');
    await axeClean(page);
  });

  await test.step('the form refuses a missing address, then the summary shows the amount the server worked out', async () => {
    await page.getByRole('link', { name: show }).click();
    await expect(page.getByRole('heading', { level: 1, name: show })).toBeVisible();
    await page.getByLabel('Quantité').fill('2');
    await page.getByRole('button', { name: 'Voir le récapitulatif' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Le formulaire contient une erreur' })).toBeVisible();
    await axeClean(page);
    await page.getByLabel('Adresse électronique').fill(email);
    await page.getByRole('button', { name: 'Voir le récapitulatif' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Récapitulatif de votre commande' })).toBeVisible();
    await expect(page.getByTestId('montant')).toHaveText('24,00 €');
    await snapshot(page, 'purchase-summary');
    await axeClean(page);
  });

  await test.step('« Payer » files the order and opens PayFiP’s page; the accepted test card pays', async () => {
    await page.getByRole('button', { name: 'Payer 24,00 €' }).click();
    await expect(page.getByRole('heading', { level: 1, name: /Paiement par carte bancaire/ })).toBeVisible();
    await expect(page.getByTestId('montant')).toHaveText('24,00 €');
    await page.getByLabel('Numéro de carte').fill(TEST_CARDS.paid);
    await page.getByRole('button', { name: /^Payer/ }).click();
    await expect(page.getByRole('status')).toHaveText('Votre paiement a été accepté.');
  });

  await test.step('back on the portal, the return page and the tracking page show the purchase paid', async () => {
    await page.getByRole('link', { name: 'Retourner sur le site de la commune' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Paiement accepté' })).toBeVisible();
    await expect(page.getByRole('status')).toContainText('Votre commande est confirmée');
    await expect(page.getByLabel('Votre paiement')).toContainText('2 × ' + show);
    await snapshot(page, 'purchase-paid');
    await axeClean(page);
    await page.getByRole('link', { name: 'Suivre ma commande' }).click();
    await expect(page.locator('[data-payment-state="paid"]')).toContainText('Payé');
    // The workflow closes the order once it has verified the payment with PayFiP itself.
    await expect
      .poll(async () => {
        await page.reload();
        return page.locator('.state').textContent();
      })
      .toBe('Close');
    await expect(page.getByRole('list').filter({ hasText: 'Paiement reçu' })).toBeVisible();
    await axeClean(page);
  });

  await test.step('the receipt is listed on the tracking page and downloads as a PDF with the payment', async () => {
    // Rendered by the workflow once the payment is verified, while the order closes: it may come a moment after.
    const receipt = page.getByRole('link', { name: 'Télécharger : Reçu de paiement' });
    await expect
      .poll(async () => {
        await page.reload();
        return receipt.count();
      })
      .toBe(1);
    const download = page.waitForEvent('download');
    await receipt.click();
    const file = test.info().outputPath('recu.pdf');
    await (await download).saveAs(file);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('24,00');
    expect(text).toContain('Le Cid');
  });

  await test.step('the catalogue counts the two seats sold', async () => {
    await page.goto('/t/demo/achats');
    await expect(page.locator('[data-product="theatre-le-cid"]')).toContainText(`Places restantes : ${(seatsBefore - 2).toLocaleString('fr-FR')}`);
  });
});

test('without JavaScript, the purchase form, its summary and « Payer » work, and an abandoned payment is shown as such', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ baseURL: process.env.E2E_BASE_URL, locale: 'fr-FR', timezoneId: 'Europe/Paris', javaScriptEnabled: false });
  const page = await context.newPage();
  const show = 'Théâtre : « Cyrano de Bergerac » (dimanche 11 avril 2027, 16 h)';

  await test.step('form and summary are plain posts', async () => {
    await page.goto('/t/demo/achats');
    await page.getByRole('link', { name: show }).click();
    await page.getByLabel('Quantité').fill('1');
    await page.getByLabel('Adresse électronique').fill(`sans-js-${randomUUID().slice(0, 8)}@exemple.fr`);
    await page.getByRole('button', { name: 'Voir le récapitulatif' }).click();
    await expect(page.getByTestId('montant')).toHaveText('15,00 €');
    await page.getByRole('button', { name: 'Payer 15,00 €' }).click();
    await expect(page.getByRole('heading', { level: 1, name: /Paiement par carte bancaire/ })).toBeVisible();
  });

  await test.step('abandoning on PayFiP: the return page says so and offers to order again', async () => {
    await page.getByRole('button', { name: 'Abandonner le paiement' }).click();
    await page.getByRole('link', { name: 'Retourner sur le site de la commune' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Paiement abandonné' })).toBeVisible();
    await expect(page.getByRole('status')).toContainText('aucune somme n’a été prélevée');
    await expect(page.getByRole('link', { name: 'Commander à nouveau' })).toBeVisible();
  });
  await context.close();
});
