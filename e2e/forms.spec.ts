import type { Page } from '@playwright/test';
import { fieldId } from '../app/_components/forms/values';
import { validSamples } from '../forms/samples';
import { SHIPPED_FORMS } from '../forms/shipped';
import type { FormDefinition } from '../forms/runtime/types';
import { expect, test } from './fixtures';

const samples = validSamples();

/** Fills the page on screen with the sample's answers for the fields shown, then presses the main button. */
async function fillCurrentPage(page: Page, definition: FormDefinition, data: Record<string, unknown>): Promise<void> {
  const title = (await page.locator('h2.form-page-title').textContent())?.trim();
  const current = definition.ui.pages.find((p) => p.title === title);
  if (!current) throw new Error(`page « ${title} » is not in ${definition.slug}`);
  for (const field of current.fields) {
    const value = data[field.name.slice(1)];
    if (value === undefined) continue;
    const id = fieldId(field.name);
    if (field.widget === 'radio') {
      await page.locator(`#${fieldId(field.name, field.options!.findIndex((o) => o.value === value))}`).check();
    } else if (field.widget === 'checkboxes') {
      for (const v of value as unknown[]) await page.locator(`#${fieldId(field.name, field.options!.findIndex((o) => o.value === v))}`).check();
    } else if (field.widget === 'checkbox') {
      if (value === true) await page.locator(`#${id}`).check();
    } else if (field.widget === 'select') {
      await page.locator(`#${id}`).selectOption(String(value));
    } else if (field.widget === 'address') {
      for (const [part, text] of Object.entries(value as Record<string, string>)) await page.locator(`#${fieldId(field.name, part)}`).fill(text);
    } else {
      await page.locator(`#${id}`).fill(String(value));
    }
  }
  await page.locator('button[value="next"]').click();
}

async function submitWholeForm(page: Page, definition: FormDefinition, data: Record<string, unknown>, axe?: (page: Page) => Promise<void>): Promise<void> {
  for (let step = 0; step < definition.ui.pages.length + 1; step++) {
    if (/\/confirmation\//.test(page.url())) return;
    await expect(page.locator('h2.form-page-title')).toBeVisible();
    if (axe) await axe(page);
    const before = await page.locator('h2.form-page-title').textContent();
    await fillCurrentPage(page, definition, data);
    await Promise.race([
      page.waitForURL(/\/confirmation\//),
      expect(page.locator('h2.form-page-title')).not.toHaveText(before ?? '', { timeout: 15_000 }),
    ]).catch(() => undefined);
    await expect(page.locator('.error-summary')).toHaveCount(0);
  }
  await page.waitForURL(/\/confirmation\//);
}

test('the portal lists every shipped form', async ({ page, axeClean, snapshot }) => {
  await page.goto('/t/demo/formulaires');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Démarches en ligne');
  for (const definition of SHIPPED_FORMS) await expect(page.getByRole('link', { name: definition.title })).toBeVisible();
  await snapshot(page, 'forms-list');
  await axeClean(page);
});

for (const definition of SHIPPED_FORMS) {
  test.describe(definition.title, () => {
    test(`${definition.slug}: valid answers reach the confirmation`, async ({ page, axeClean, snapshot }) => {
      await test.step('first page', async () => {
        await page.goto(`/t/demo/formulaires/${definition.slug}`);
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(definition.title);
        await expect(page.locator('.form-progress')).toHaveText(/^Étape 1 sur \d+$/);
        await snapshot(page, `form-${definition.slug}`);
      });
      await test.step('every page, checked by axe', () => submitWholeForm(page, definition, samples[definition.slug], axeClean));
      await test.step('confirmation', async () => {
        await expect(page.getByRole('heading', { level: 1 })).toHaveText('Votre demande a bien été envoyée');
        await expect(page.locator('.receipt')).toContainText(/\d{4}-\d{6}/);
        await axeClean(page);
      });
    });

    test(`${definition.slug}: invalid answers show the error summary and mark the fields`, async ({ page, axeClean, snapshot }) => {
      await page.goto(`/t/demo/formulaires/${definition.slug}`);
      await page.locator('button[value="next"]').click();
      const summary = page.locator('.error-summary');
      await expect(summary).toBeVisible();
      await expect(summary).toBeFocused();
      const firstLink = summary.getByRole('link').first();
      const target = (await firstLink.getAttribute('href'))!;
      await expect(page.locator(target)).toHaveAttribute('aria-invalid', 'true');
      await expect(page.locator('.field-invalid').first()).toBeVisible();
      await expect(page.locator('.form-progress')).toHaveText(/^Étape 1 sur/);
      await firstLink.click();
      await expect(page.locator(target)).toBeFocused();
      await snapshot(page, `form-${definition.slug}-errors`);
      await axeClean(page);
    });
  });
}

test('conditional fields appear as the citizen answers', async ({ page }) => {
  await page.goto('/t/demo/formulaires/acte-naissance');
  const precision = page.getByLabel('Précisez le motif');
  await expect(precision).toHaveCount(0);
  await page.getByLabel('Motif de la demande').selectOption('autre');
  await expect(precision).toBeVisible();
});

test('a booking over the room capacity is refused on the page, with the field marked', async ({ page }) => {
  const definition = SHIPPED_FORMS.find((f) => f.slug === 'reservation-salle')!;
  await page.goto('/t/demo/formulaires/reservation-salle');
  await fillCurrentPage(page, definition, { ...samples['reservation-salle'], nombrePersonnes: 400 });
  await expect(page.locator('.error-summary')).toContainText('La capacité de cette salle est de 250 personnes au maximum.');
  await expect(page.locator(`#${fieldId('/nombrePersonnes')}`)).toHaveAttribute('aria-invalid', 'true');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a form is filled page by page with plain posts, errors included', async ({ page }) => {
    const definition = SHIPPED_FORMS.find((f) => f.slug === 'acte-mariage')!;
    await page.goto('/t/demo/formulaires/acte-mariage');
    await page.locator('button[value="next"]').click();
    await expect(page.locator('.error-summary')).toBeVisible();
    await expect(page.locator('.form-progress')).toHaveText(/^Étape 1 sur/);
    await submitWholeForm(page, definition, samples['acte-mariage']);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Votre demande a bien été envoyée');
  });
});
