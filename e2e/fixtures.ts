import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Browser, type Page } from '@playwright/test';

/** Browser-test fixtures: the running app's base URL, an axe check and a screenshot saver. */
export const test = base.extend<{ axeClean: (page: Page) => Promise<void>; snapshot: (page: Page, name: string) => Promise<void> }>({
  baseURL: async ({}, use) => use(process.env.E2E_BASE_URL),
  axeClean: async ({}, use) =>
    use(async (page) => {
      // Next.js streams a page's metadata after its body on client navigations: wait for the title axe checks.
      await expect(page).not.toHaveTitle('');
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    }),
  snapshot: async ({}, use) =>
    use(async (page, name) => {
      const dir = path.join('artifacts', 'screenshots');
      fs.mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
    }),
});

export { expect };

/** Messages the development SMTP sink holds for an address. */
export async function sinkMessages(address: string): Promise<Array<{ subject?: string; text?: string }>> {
  const response = await fetch(`${process.env.MAIL_SINK_URL}/messages?to=${encodeURIComponent(address)}`);
  return response.json();
}

/** A demo agent logged in to the console in a context of their own (downloads accepted), on the inbox. */
export async function consoleLogin(browser: Browser, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: process.env.E2E_BASE_URL, locale: 'fr-FR', timezoneId: 'Europe/Paris', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto('/console/demo');
  await expect(page).toHaveURL(/\/console\/demo\/connexion/);
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Demandes' })).toBeVisible();
  return page;
}
