import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { consoleLogin, expect, test } from './fixtures';

test('an administrator reads the régie’s payments, downloads the reconciliation CSV, and creates then edits a catalogue product', async ({ browser, axeClean }) => {
  test.setTimeout(120_000);
  const admin = await consoleLogin(browser, 'admin@ville-demo.fr', 'demo-admin-2026');
  const slug = `atelier-${randomUUID().slice(0, 6)}`;

  await test.step('the treasury screen filters by period, product and state, and exports the reconciliation file', async () => {
    await admin.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Régie : paiements' }).click();
    await expect(admin.getByRole('heading', { level: 1, name: 'Régie : paiements en ligne' })).toBeVisible();
    const filters = admin.getByRole('form', { name: 'Filtres des paiements' });
    await filters.getByLabel('Du', { exact: true }).fill('2026-12-01');
    await filters.getByLabel('Au', { exact: true }).fill('2026-11-01');
    await filters.getByRole('button', { name: 'Filtrer' }).click();
    await expect(admin.getByText('La date de fin doit suivre la date de début.')).toBeVisible();
    await filters.getByLabel('Au', { exact: true }).fill('2026-12-31');
    await filters.getByLabel('Produit', { exact: true }).selectOption({ label: 'Caution pour la réservation d\'une salle municipale' });
    await filters.getByLabel('État', { exact: true }).selectOption({ label: 'Payé' });
    await filters.getByRole('button', { name: 'Filtrer' }).click();
    await expect(admin).toHaveURL(/etat=paid/);
    await expect(admin.getByTestId('total-paid-amount')).toContainText('€');
    await axeClean(admin);
    const download = admin.waitForEvent('download');
    await admin.getByRole('link', { name: 'Exporter le rapprochement (CSV)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('rapprochement-payfip-2026-12-01-2026-12-31.csv');
    const lines = fs.readFileSync((await file.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('idOp;refdet;montant (EUR);date;heure;numauto;produit;quantité;référence de la demande;état');
  });

  await test.step('a product is refused with French field errors, then created and edited', async () => {
    await admin.goto('/console/demo/catalogue');
    await admin.getByRole('link', { name: 'Nouveau produit' }).click();
    const form = admin.getByRole('form', { name: 'Nouveau produit' });
    await form.getByLabel('Identifiant').fill(slug);
    await form.getByLabel('Nom', { exact: true }).fill('Atelier poterie');
    await form.getByLabel('Tarification').selectOption({ label: 'Prix à l’unité' });
    await form.getByLabel('Prix unitaire (en euros)').fill('0,50');
    await form.getByLabel('Stock').fill('12');
    await form.getByRole('button', { name: 'Créer le produit' }).click();
    await expect(form.getByText('Indiquez un prix entre 1,00 € et 99 999,99 € (limites de PayFiP).').first()).toBeVisible();
    await form.getByLabel('Prix unitaire (en euros)').fill('8,50');
    await form.getByRole('button', { name: 'Créer le produit' }).click();
    await expect(admin).toHaveURL(new RegExp(`/console/demo/catalogue/${slug}$`));
    const edit = admin.getByRole('form', { name: 'Modifier le produit' });
    await expect(edit.getByLabel('Prix unitaire (en euros)')).toHaveValue('8,50');
    await edit.getByLabel('Nom', { exact: true }).fill('Atelier poterie (enfants)');
    await edit.getByRole('button', { name: 'Enregistrer' }).click();
    await expect(edit.getByText('Produit enregistré.')).toBeVisible();
    await axeClean(admin);
    await admin.goto('/console/demo/catalogue');
    await expect(admin.getByRole('row', { name: /Atelier poterie \(enfants\)/ })).toContainText('8,50');
  });
});
