import type { Page } from '@playwright/test';
import { fieldId, visiblePages } from '@/app/_components/forms/values';
import { MIN_FILL_MS } from '@/domain/antispam/form-clock';
import { describeAnswers } from '@/forms/runtime/answers';
import { validSamples } from '@/forms/samples';
import { SHIPPED_FORMS } from '@/forms/shipped';
import type { FormDefinition } from '@/forms/runtime/types';
import { expect, test } from './fixtures';

const samples = validSamples();
const REVIEW_TITLE = 'Vérifiez vos informations';

/** Fills the page on screen with the sample's answers for the fields shown, then presses the main button. */
async function fillCurrentPage(page: Page, definition: FormDefinition, data: Record<string, unknown>): Promise<void> {
  await fillFields(page, definition, data);
  await page.getByRole('button', { name: 'Continuer' }).click();
}

/** Fills the page on screen with the sample's answers for the fields shown. */
async function fillFields(page: Page, definition: FormDefinition, data: Record<string, unknown>): Promise<void> {
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
}

/** Fills every page with the sample's answers until the review page shows; axe checks each page on the way when given. */
async function reachReview(page: Page, definition: FormDefinition, data: Record<string, unknown>, axe?: (page: Page) => Promise<void>): Promise<void> {
  const heading = page.locator('h2.form-page-title');
  for (let step = 0; step < definition.ui.pages.length; step++) {
    await expect(heading).toBeVisible();
    const before = (await heading.textContent())?.trim();
    if (before === REVIEW_TITLE) return;
    if (axe) await axe(page);
    await fillCurrentPage(page, definition, data);
    await expect(heading).not.toHaveText(before ?? '');
    await expect(page.locator('.error-summary')).toHaveCount(0);
  }
  await expect(heading).toHaveText(REVIEW_TITLE);
}

/** The review lists every answer of the sample under its label, one section per shown page, last in the progress. */
async function expectReview(page: Page, definition: FormDefinition, data: Record<string, unknown>): Promise<void> {
  const steps = visiblePages(definition, data).length + 1;
  await expect(page.locator('h2.form-page-title')).toHaveText(REVIEW_TITLE);
  await expect(page.locator('.form-progress')).toHaveText(`Étape ${steps} sur ${steps}`);
  await expect(page.locator('.review-section h3')).toHaveText(visiblePages(definition, data).map((i) => definition.ui.pages[i].title));
  const shown = await page.locator('.review-list > div').evaluateAll((rows) => rows.map((row) => ({ label: row.querySelector('dt')?.textContent, value: row.querySelector('dd')?.textContent })));
  expect(shown).toEqual(expect.arrayContaining(describeAnswers(definition, data).map(({ label, value }) => ({ label, value }))));
}

/** Sends from the review once a person could have filled the form (the server refuses faster posts), then waits for the confirmation. */
async function sendFromReview(page: Page, shownAt: number): Promise<void> {
  await page.waitForTimeout(Math.max(0, shownAt + MIN_FILL_MS + 300 - Date.now()));
  await page.getByRole('button', { name: 'Envoyer la demande' }).click();
  await page.waitForURL(/\/confirmation\//);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Votre demande a bien été envoyée');
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
    test(`${definition.slug}: valid answers reach the confirmation through the review`, async ({ page, axeClean, snapshot }) => {
      let shownAt = 0;
      await test.step('first page', async () => {
        await page.goto(`/t/demo/formulaires/${definition.slug}`);
        shownAt = Date.now();
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(definition.title);
        await expect(page.locator('.form-progress')).toHaveText(/^Étape 1 sur \d+$/);
        await snapshot(page, `form-${definition.slug}`);
      });
      await test.step('every page, checked by axe', () => reachReview(page, definition, samples[definition.slug], axeClean));
      await test.step('review page, checked by axe', async () => {
        await expectReview(page, definition, samples[definition.slug]);
        await expect(page.locator('h2.form-page-title')).toBeFocused();
        await snapshot(page, `form-${definition.slug}-review`);
        await axeClean(page);
      });
      await test.step('confirmation', async () => {
        await sendFromReview(page, shownAt);
        await expect(page.locator('.receipt')).toContainText(/\d{4}-\d{6}/);
        await axeClean(page);
      });
    });

    test(`${definition.slug}: invalid answers show the error summary and mark the fields`, async ({ page, axeClean, snapshot }) => {
      await page.goto(`/t/demo/formulaires/${definition.slug}`);
      await page.getByRole('button', { name: 'Continuer' }).click();
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

test('Enter in a field goes to the next page, never back a page', async ({ page }) => {
  const definition = SHIPPED_FORMS.find((f) => f.slug === 'acte-mariage')!;
  const data = samples['acte-mariage'];
  const titles = visiblePages(definition, data).map((index) => definition.ui.pages[index].title);
  await page.goto('/t/demo/formulaires/acte-mariage');
  await fillCurrentPage(page, definition, data);
  await expect(page.locator('h2.form-page-title')).toHaveText(titles[1]);
  await fillFields(page, definition, data);
  await page.locator(`#${fieldId('/nomEpoux2')}`).press('Enter');
  await expect(page.locator('h2.form-page-title')).toHaveText(titles[2] ?? REVIEW_TITLE);
});

test('"Modifier" on the review returns to that page with every answer kept, then back to the review', async ({ page }) => {
  const definition = SHIPPED_FORMS.find((f) => f.slug === 'acte-mariage')!;
  const data = samples['acte-mariage'];
  await page.goto('/t/demo/formulaires/acte-mariage');
  const shownAt = Date.now();
  await reachReview(page, definition, data);
  await test.step('back to the « Mariage » page', async () => {
    await page.getByRole('button', { name: 'Modifier : Mariage' }).click();
    await expect(page.locator('h2.form-page-title')).toHaveText('Mariage');
    await expect(page.locator('.form-progress')).toHaveText(`Étape 2 sur ${visiblePages(definition, data).length + 1}`);
    await expect(page.locator(`#${fieldId('/nomEpoux1')}`)).toHaveValue('Bernard');
    await expect(page.locator(`#${fieldId('/dateMariage')}`)).toHaveValue('2015-06-20');
  });
  await test.step('the change shows on the review, the other pages are kept', async () => {
    await page.locator(`#${fieldId('/nomEpoux2')}`).fill('Petit-Martin');
    await page.getByRole('button', { name: 'Continuer' }).click();
    await expectReview(page, definition, { ...data, nomEpoux2: 'Petit-Martin' });
  });
  await sendFromReview(page, shownAt);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a form is filled page by page with plain posts, errors included, then reviewed and sent', async ({ page }) => {
    const definition = SHIPPED_FORMS.find((f) => f.slug === 'acte-mariage')!;
    const data = samples['acte-mariage'];
    await page.goto('/t/demo/formulaires/acte-mariage');
    const shownAt = Date.now();
    await page.getByRole('button', { name: 'Continuer' }).click();
    await expect(page.locator('.error-summary')).toBeVisible();
    await expect(page.locator('.form-progress')).toHaveText(/^Étape 1 sur/);
    await reachReview(page, definition, data);
    // axe needs scripts in the page: the review's markup is checked with JavaScript on above.
    await expectReview(page, definition, data);
    await test.step('« Modifier » with a plain post', async () => {
      await page.getByRole('button', { name: 'Modifier : Acte demandé' }).click();
      await expect(page.locator('h2.form-page-title')).toHaveText('Acte demandé');
      await expect(page.locator(`#${fieldId('/typeActe', definition.ui.pages[0].fields[0].options!.findIndex((o) => o.value === data.typeActe))}`)).toBeChecked();
      await page.getByRole('button', { name: 'Continuer' }).click();
      await expectReview(page, definition, data);
    });
    await sendFromReview(page, shownAt);
  });
});
