import type { Browser, Page } from '@playwright/test';
import { pageErrors, visiblePages } from '@/app/_components/forms/values';
import { compileForm } from '@/forms/runtime/compile';
import { SHIPPED_FORMS } from '@/forms/shipped';
import { expect, test } from './fixtures';

/** Every Content-Security-Policy violation a page reports, from its `securitypolicyviolation` events and its console. */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
  // Injected by the browser itself before any page script, so the policy does not apply to it.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportCspViolation: (t: string) => void }).reportCspViolation(`${location.pathname}: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sample})`);
    });
  });
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy|CSP/i.test(message.text())) violations.push(`${page.url()}: console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => {
    if (/Content[- ]Security[- ]Policy/i.test(error.message)) violations.push(`${page.url()}: ${error.message}`);
  });
  return violations;
}

/** The nonce of the policy the page was served with, and that Next.js's scripts carry it. */
async function expectNoncedScripts(page: Page) {
  const policy = await page.evaluate(async () => (await fetch(location.href, { method: 'HEAD' })).headers.get('content-security-policy'));
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'/);
  expect(policy).not.toContain("'unsafe-inline' 'nonce");
  const scripts = await page.locator('script').evaluateAll((nodes) => nodes.map((n) => (n as HTMLScriptElement).nonce ?? ''));
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.every((nonce) => nonce.length >= 20)).toBe(true);
}

async function consoleLogin(browser: Browser, email: string, password: string): Promise<{ page: Page; violations: string[] }> {
  const context = await browser.newContext({ baseURL: process.env.E2E_BASE_URL, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const violations = await watchCsp(page);
  await page.goto('/console/demo/connexion');
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Demandes' })).toBeVisible();
  return { page, violations };
}

test.describe('Content-Security-Policy in Chromium', () => {
  test('the portal loads and submits its forms with no violation: home, question, confirmation, tracking, smart forms', async ({ page }) => {
    test.setTimeout(120_000);
    const violations = await watchCsp(page);

    await test.step('home', async () => {
      await page.goto('/t/demo');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expectNoncedScripts(page);
    });

    let reference = '';
    let code = '';
    await test.step('the question form is sent and the confirmation shows the code', async () => {
      await page.goto('/t/demo/question');
      await expect(page.getByRole('heading', { level: 1, name: 'Poser une question' })).toBeVisible();
      await page.getByLabel('Thème').selectOption('question');
      await page.getByLabel('Objet').fill('Horaires du marché');
      await page.getByLabel('Message').fill('Bonjour, le marché a-t-il lieu le dimanche ?');
      await page.getByLabel('Adresse électronique').fill(`csp-${Date.now().toString(36)}@exemple.fr`);
      await page.getByLabel(/J’accepte que Ville de Démo traite ma demande/).check();
      // The form refuses posts made faster than a person types (a product rule, not synchronisation).
      await page.waitForTimeout(3_200);
      await page.getByRole('button', { name: 'Envoyer ma question' }).click();
      await expect(page).toHaveURL(/\/t\/demo\/confirmation\/\d{4}-\d{6}$/);
      reference = page.url().split('/').pop()!;
      code = (await page.locator('dt:has-text("Code de suivi") + dd').innerText()).trim();
    });

    await test.step('the tracking page', async () => {
      await page.goto(`/t/demo/suivi/${reference}?code=${code}`);
      await expect(page.getByRole('heading', { level: 1 })).toContainText(reference);
    });

    await test.step('every smart form loads its generated validator and checks its first page in the browser, in French', async () => {
      await page.goto('/t/demo/formulaires');
      const posts: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST') posts.push(request.url());
      });
      for (const definition of SHIPPED_FORMS) {
        await page.goto(`/t/demo/formulaires/${definition.slug}`);
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await expect(page.locator('form.smart-form[data-browser-checks]')).toHaveCount(1);
        await page.getByRole('button', { name: 'Continuer' }).click();
        // The messages the server's ajv gives for the empty first page, shown without any post.
        const first = definition.ui.pages[visiblePages(definition, {})[0]];
        const expected = pageErrors(first, compileForm(definition).validate({}).errors).map((e) => e.message);
        expect(expected.length, definition.slug).toBeGreaterThan(0);
        const summary = page.locator('.error-summary');
        await expect(summary).toBeFocused();
        for (const message of expected) await expect(summary, definition.slug).toContainText(message);
      }
      expect(posts).toEqual([]);
    });

    expect(violations).toEqual([]);
  });

  test('a form validator is served as a cacheable script from the portal, per stored version only', async ({ request }) => {
    const response = await request.get('/t/demo/formulaires/acte-naissance');
    const version = /\/formulaires\/acte-naissance\/validation\/(\d+)/.exec(await response.text())?.[1];
    expect(version).toBeDefined();
    const script = await request.get(`/t/demo/formulaires/acte-naissance/validation/${version}`);
    expect(script.status()).toBe(200);
    expect(script.headers()['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers()['x-content-type-options']).toBe('nosniff');
    expect(script.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toMatch(/^document\.currentScript\.relaisFormValidator = function \(require, module\) \{/);
    for (const path of ['/t/demo/formulaires/acte-naissance/validation/999999', '/t/demo/formulaires/acte-naissance/validation/abc', '/t/demo/formulaires/inconnu/validation/1', '/t/commune-inconnue/formulaires/acte-naissance/validation/1']) {
      expect((await request.get(path)).status(), path).toBe(404);
    }
  });

  test('the console loads with no violation: login, inbox, case page, dashboard, administration', async ({ browser }) => {
    test.setTimeout(120_000);
    const { page, violations } = await consoleLogin(browser, 'admin@ville-demo.fr', 'demo-admin-2026');
    await expectNoncedScripts(page);

    await test.step('the inbox updates itself and opens a case', async () => {
      const response = await fetch(`${process.env.E2E_BASE_URL}/api/v1/t/demo/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 'question', subject: 'Politique de sécurité', message: 'Une question pour la console.', contact: { email: `csp-console-${Date.now().toString(36)}@exemple.fr` } }),
      });
      expect(response.status).toBe(201);
      const { reference } = await response.json();
      const row = page.locator(`tr[data-reference="${reference}"]`);
      await expect(row).toBeVisible({ timeout: 20_000 });
      await row.getByRole('link', { name: `Lire la demande ${reference}` }).click();
      await expect(page.getByRole('heading', { level: 1 })).toContainText('Politique de sécurité');
    });

    await test.step('dashboard with its charts', async () => {
      await page.goto('/console/demo/tableau-de-bord');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expect(page.locator('.recharts-surface').first()).toBeVisible();
    });

    await test.step('administration, whose forms still save', async () => {
      await page.goto('/console/demo/admin');
      await expect(page.getByRole('heading', { level: 1, name: 'Administration' })).toBeVisible();
      const form = page.locator('form', { hasText: 'Sites autorisés à intégrer le formulaire' });
      await form.getByLabel('Adresses des sites de la commune, une par ligne').fill('https://www.ville-demo.fr\nhttps://demarches.ville-demo.fr/');
      await form.getByRole('button').first().click();
      await expect(form.getByText('Modification enregistrée.')).toBeVisible();
      await page.reload();
      await expect(page.locator('form', { hasText: 'Sites autorisés' }).getByLabel('Adresses des sites de la commune, une par ligne')).toHaveValue('https://www.ville-demo.fr\nhttps://demarches.ville-demo.fr');
    });

    expect(violations).toEqual([]);
  });
});
