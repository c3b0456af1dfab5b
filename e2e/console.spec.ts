import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { consoleLogin, expect, sinkMessages, test } from './fixtures';

async function urbanismeFigures(page: Page): Promise<{ received: number; answered: number }> {
  await page.goto('/console/demo/tableau-de-bord');
  const row = page.locator('tr[data-department="urbanisme"]');
  return {
    received: Number(await row.locator('[data-figure="received"]').textContent()),
    answered: Number(await row.locator('[data-figure="answered"]').textContent()),
  };
}

test('an agent answers a new request from a template, a validator approves, the citizen gets the answer and the dashboard counts it', async ({ browser, axeClean, snapshot }) => {
  // Four browser sessions and a real workflow on a shared two-core machine: a minute is not always enough.
  test.setTimeout(180_000);
  const admin = await consoleLogin(browser, 'admin@ville-demo.fr', 'demo-admin-2026');
  const before = await urbanismeFigures(admin);

  const agent = await consoleLogin(browser, 'urbanisme@ville-demo.fr', 'demo-agent-2026');
  const citizen = `citoyen-${randomUUID().slice(0, 8)}@exemple.fr`;
  const subject = `Permis de construire ${randomUUID().slice(0, 6)}`;
  let reference = '';

  await test.step('a new request appears in the open inbox without a reload', async () => {
    const response = await fetch(`${process.env.E2E_BASE_URL}/api/v1/t/demo/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'urbanisme', subject, message: 'Quels sont les horaires du service urbanisme ?', contact: { name: 'Jeanne Dupont', email: citizen } }),
    });
    expect(response.status).toBe(201);
    reference = (await response.json()).reference;
    const row = agent.locator(`tr[data-reference="${reference}"]`);
    await expect(row).toBeVisible({ timeout: 20_000 });
    await expect(row.getByRole('cell', { name: 'Non lu' })).toBeVisible();
    await expect(row).toContainText('Urbanisme / Urbanisme et travaux');
    await snapshot(agent, 'console-inbox');
    await axeClean(agent);
  });

  await test.step("the agent's inbox shows their own department's open requests, and widens in one click", async () => {
    const scope = agent.getByTestId('inbox-scope');
    const openCount = async () => Number((await agent.getByRole('navigation', { name: 'États' }).getByRole('link', { name: /^À traiter/ }).textContent())!.match(/\((\d+)\)/)![1]);
    await expect(scope).toContainText('Demandes à traiter de mes services (Urbanisme).');
    await expect(agent.getByLabel('Périmètre')).toHaveValue('1');
    const departments = await agent.locator('table.inbox tbody tr td:nth-child(6)').allTextContents();
    expect(departments.length).toBeGreaterThan(0);
    expect(departments.every((d) => d.startsWith('Urbanisme /'))).toBe(true);
    const mine = await openCount();
    await scope.getByRole('link', { name: 'Tous les services' }).click();
    await expect(scope).toContainText('Demandes à traiter de tous les services.');
    const everyDepartment = await openCount();
    expect(everyDepartment).toBeGreaterThanOrEqual(mine);
    test.info().annotations.push({ type: 'inbox', description: `open requests seen by urbanisme@: ${mine} (default, my departments), ${everyDepartment} (all departments)` });
    await scope.getByRole('link', { name: 'Y compris closes' }).click();
    await expect(scope).toContainText('Toutes les demandes, closes comprises, de tous les services.');
    await expect(agent).toHaveURL(/[?&]mes=0/);
    await expect(agent).toHaveURL(/[?&]etat=all/);
    await agent.goto('/console/demo');
    await expect(scope).toContainText('Demandes à traiter de mes services (Urbanisme).');
  });

  await test.step('the agent reads it, takes it in charge and submits an answer built from a template', async () => {
    await agent.locator(`tr[data-reference="${reference}"]`).getByRole('link', { name: `Lire la demande ${reference}` }).click();
    await expect(agent.getByRole('heading', { level: 1 })).toContainText(subject);
    // Reading takes nothing in charge: the request stays unread until the agent says so.
    await expect(agent.locator('.badge').first()).toHaveText('Non lu');
    await agent.reload();
    await expect(agent.locator('.badge').first()).toHaveText('Non lu');
    await agent.getByRole('button', { name: 'Prendre en charge' }).click();
    await expect(agent.getByRole('status').filter({ hasText: 'Prise en charge.' })).toBeVisible();
    await expect(agent.locator('.badge').first()).toHaveText('Traitement en cours');
    await expect(agent.getByRole('button', { name: 'Prendre en charge' })).toHaveCount(0);
    const offered = await agent.getByLabel('Modèle de réponse').locator('option').allTextContents();
    expect(offered).toEqual(expect.arrayContaining(["Délais d'instruction d'un dossier", "Horaires d'ouverture de la mairie"]));
    expect(offered).not.toContain('Copie intégrale : personnes autorisées');
    await agent.getByLabel('Modèle de réponse').selectOption({ label: "Délais d'instruction d'un dossier" });
    await agent.getByRole('button', { name: 'Insérer le modèle' }).click();
    await expect(agent.getByLabel('Texte de la réponse')).toHaveValue(/Le délai d'instruction court à partir du dépôt/);
    await agent.getByRole('button', { name: 'Soumettre à validation' }).click();
    await expect(agent.getByRole('status').filter({ hasText: 'Réponse soumise à validation.' })).toBeVisible();
    await expect(agent.locator('.badge').first()).toHaveText('En attente de validation');
    await expect(agent.getByRole('heading', { level: 2, name: 'Documents' })).toBeVisible();
    await expect(agent.getByText('Aucun export vers un logiciel métier n’a été tenté pour cette demande.')).toBeVisible();
    await snapshot(agent, 'console-case');
    await axeClean(agent);
  });

  await test.step('a validator approves and the answer is sent', async () => {
    const validator = await consoleLogin(browser, 'valideur.urbanisme@ville-demo.fr', 'demo-agent-2026');
    await validator.goto(`/console/demo/demandes/${reference}`);
    await expect(validator.getByText('Réponse proposée :')).toBeVisible();
    await validator.getByRole('button', { name: 'Approuver et envoyer' }).click();
    await expect(validator.getByRole('status').filter({ hasText: 'Réponse validée et envoyée.' })).toBeVisible();
    await expect(validator.locator('.badge').first()).toHaveText('Répondu');
  });

  await test.step('the citizen receives the answer by e-mail', async () => {
    await expect
      .poll(async () => (await sinkMessages(citizen)).find((m) => m.subject?.includes(`réponse à votre demande ${reference}`))?.text ?? '', { timeout: 20_000 })
      .toContain("Le délai d'instruction court à partir du dépôt");
  });

  await test.step('the dashboard counts the request as received and answered', async () => {
    const after = await urbanismeFigures(admin);
    expect(after).toEqual({ received: before.received + 1, answered: before.answered + 1 });
    await snapshot(admin, 'console-dashboard');
    await axeClean(admin);
  });
});

test('an administrator previews a document template; a syntax error is explained in French', async ({ browser, axeClean }) => {
  const admin = await consoleLogin(browser, 'admin@ville-demo.fr', 'demo-admin-2026');
  await admin.goto('/console/demo/admin#documents');
  const editor = admin.locator('form').filter({ has: admin.getByRole('heading', { level: 3, name: /^Courrier de réponse/ }) });
  const content = editor.getByLabel('Contenu HTML et Handlebars');
  await expect(content).toHaveValue(/Objet : \{\{subject\}\}/);
  await content.fill('<h1>Courrier {{reference}}</h1>');
  await editor.getByRole('button', { name: 'Prévisualiser' }).click();
  await expect(editor.locator('iframe[title="Aperçu : Courrier de réponse"]')).toBeVisible({ timeout: 30_000 });
  await content.fill('<h1>{{#if reference}}Courrier</h1>');
  await editor.getByRole('button', { name: 'Prévisualiser' }).click();
  await expect(editor.getByText(/^Erreur de syntaxe Handlebars \(ligne 1\)/)).toBeVisible();
  await axeClean(admin);
});

test('the console refuses anonymous visitors and a wrong password', async ({ page }) => {
  await page.goto('/console/demo/tableau-de-bord');
  await expect(page).toHaveURL(/\/console\/demo\/connexion\?retour=/);
  await page.getByLabel('Adresse électronique').fill('admin@ville-demo.fr');
  await page.getByLabel('Mot de passe').fill('mauvais-mot-de-passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'incorrect' })).toHaveText('Adresse électronique ou mot de passe incorrect.');
  const api = await page.request.get('/api/v1/t/demo/agent/requests');
  expect(api.status()).toBe(401);
});

test('an administrator produces the quality report of the last month and downloads it', async ({ browser, axeClean }) => {
  test.setTimeout(120_000);
  const admin = await consoleLogin(browser, 'admin@ville-demo.fr', 'demo-admin-2026');
  await admin.goto('/console/demo/tableau-de-bord');
  const reports = admin.getByRole('region', { name: 'Rapports mensuels' });
  const monthField = reports.getByLabel('Mois (AAAA-MM)');
  const month = await monthField.inputValue();
  const label = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-15T00:00:00Z`));

  await test.step('an empty month is explained in French', async () => {
    await monthField.fill('');
    await reports.getByRole('button', { name: 'Produire le rapport maintenant' }).click();
    await expect(reports.getByRole('alert').first()).toHaveText('Indiquez un mois au format AAAA-MM, par exemple 2026-10.');
  });

  await test.step('the report is produced and appears in the list', async () => {
    await monthField.fill(month);
    await reports.getByRole('button', { name: 'Produire le rapport maintenant' }).click();
    await expect(reports.getByRole('status')).toContainText(/en cours de production|existe déjà|est prêt/);
    await expect(reports.getByRole('row', { name: new RegExp(label) })).toBeVisible({ timeout: 60_000 });
  });

  await test.step('the PDF downloads', async () => {
    const download = admin.waitForEvent('download');
    await reports.getByRole('link', { name: `Télécharger le PDF (${label})` }).click();
    expect((await download).suggestedFilename()).toBe(`rapport-qualite-${month}.pdf`);
    await axeClean(admin);
  });
});
