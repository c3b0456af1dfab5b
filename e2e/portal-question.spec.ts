import { actorFor, fileRequest, testClient } from '@/temporal/testing/fixtures';
import { answerRequestUpdate, askCitizenUpdate, requestWorkflowId } from '@/workflows/request/definitions';
import { expect, sinkMessages, test } from './fixtures';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

function uniqueEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@exemple.fr`;
}

/** The form refuses posts made faster than a person can type: wait past the minimum fill time. */
async function waitMinimumFillTime(page: import('@playwright/test').Page) {
  await page.waitForTimeout(3_200);
}

async function waitForMail(address: string, predicate: (m: { subject?: string; text?: string }) => boolean) {
  let found: { subject?: string; text?: string } | undefined;
  await expect
    .poll(async () => {
      found = (await sinkMessages(address)).find(predicate);
      return Boolean(found);
    }, { timeout: 20_000 })
    .toBe(true);
  return found!;
}

test.describe('asking a question and following it', () => {
  test('a citizen asks a question with a file, gets the acknowledgement, and reads the agent’s answer', async ({ page, axeClean, snapshot }) => {
    const email = uniqueEmail('question');
    let reference = '';
    let code = '';

    await test.step('the form reports every mistake in a summary that links to the fields', async () => {
      await page.goto('/t/demo/question');
      await expect(page.getByRole('heading', { level: 1, name: 'Poser une question' })).toBeVisible();
      await axeClean(page);
      await snapshot(page, 'portal-question');
      await waitMinimumFillTime(page);
      await page.getByLabel('Adresse électronique').fill('pas-une-adresse');
      await page.getByRole('button', { name: 'Envoyer ma question' }).click();
      const summary = page.locator('#erreurs');
      await expect(summary).toBeFocused();
      await expect(summary).toContainText('Choisissez un thème.');
      await expect(summary).toContainText('Adresse électronique invalide.');
      await expect(summary).toContainText('Cochez la case');
      await summary.getByRole('link', { name: 'Adresse électronique invalide.' }).click();
      await expect(page.getByLabel('Adresse électronique')).toBeFocused();
      await expect(page.getByLabel('Adresse électronique')).toHaveAttribute('aria-invalid', 'true');
      await snapshot(page, 'portal-question-errors');
      await axeClean(page);
    });

    await test.step('a valid question lands on the confirmation page, printable', async () => {
      await page.getByLabel('Thème').selectOption('question');
      await page.getByLabel('Objet').fill('Horaires de la déchetterie');
      await page.getByLabel('Message').fill('Bonjour,\nquels sont les horaires de la déchetterie le samedi ?');
      await page.getByLabel('Nom et prénom (facultatif)').fill('Jeanne Dupont');
      await page.getByLabel('Adresse électronique').fill(email);
      await page.getByLabel('Pièces jointes (facultatif)').setInputFiles({ name: 'plan du quartier.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.getByLabel(/J’accepte que Ville de Démo traite ma demande/).check();
      await page.getByRole('button', { name: 'Envoyer ma question' }).click();
      await expect(page).toHaveURL(/\/t\/demo\/confirmation\/\d{4}-\d{6}$/);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Votre demande a bien été envoyée');
      reference = page.url().split('/').pop()!;
      code = (await page.locator('dt:has-text("Code de suivi") + dd').innerText()).trim();
      expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
      await expect(page.locator('dt:has-text("Réponse au plus tard le") + dd')).toHaveText(/^\d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}$/);
      await snapshot(page, 'portal-confirmation');
      await axeClean(page);
      await page.emulateMedia({ media: 'print' });
      await expect(page.getByRole('button', { name: 'Imprimer ce récapitulatif' })).toBeHidden();
      await expect(page.locator('.print-only')).toContainText(`/t/demo/suivi/${reference}?code=${code}`);
      await snapshot(page, 'portal-confirmation-print');
      await page.emulateMedia({ media: 'screen' });
    });

    let trackingLink = '';
    await test.step('the acknowledgement arrives in the mail sink with the same reference, code and link', async () => {
      const ack = await waitForMail(email, (m) => m.subject?.includes(reference) ?? false);
      expect(ack.text).toContain(`Code de suivi : ${code}`);
      trackingLink = /https?:\/\/\S+\/suivi\/\S+/.exec(ack.text ?? '')![0];
      expect(trackingLink).toContain(`code=${code}`);
    });

    await test.step('the tracking link opens the request, with its file and timeline', async () => {
      await page.goto(trackingLink);
      await expect(page.getByRole('heading', { level: 1 })).toContainText(reference);
      await expect(page.getByRole('list').filter({ hasText: 'Demande reçue' })).toBeVisible();
      await expect(page.getByText('Dans les délais')).toBeVisible();
      const download = page.getByRole('link', { name: 'Télécharger plan du quartier.pdf' });
      await expect(download).toBeVisible();
      const response = await page.request.get(await download.getAttribute('href').then((h) => h!));
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toBe('application/pdf');
      expect(Buffer.from(await response.body()).equals(PDF)).toBe(true);
      const noCode = await page.request.get((await download.getAttribute('href'))!.replace(/code=[^&]+/, 'code=AAAA-BBBB-CCCC-DDDD-EEEE'));
      expect(noCode.status()).toBe(404);
      await snapshot(page, 'portal-tracking');
      await axeClean(page);
    });

    await test.step('an agent answers through the workflow and the citizen reads the answer', async () => {
      const actor = await actorFor('demo', 'accueil@ville-demo.fr');
      const handle = (await testClient()).workflow.getHandle(requestWorkflowId('demo', reference));
      await handle.executeUpdate(answerRequestUpdate, { args: [{ actor, body: 'Bonjour,\nla déchetterie est ouverte le samedi de 9 h à 18 h.' }] });
      await expect(async () => {
        await page.reload();
        await expect(page.getByRole('heading', { name: 'Réponse de la mairie' })).toBeVisible({ timeout: 1_000 });
      }).toPass({ timeout: 20_000 });
      await expect(page.getByText('la déchetterie est ouverte le samedi de 9 h à 18 h.')).toBeVisible();
      await expect(page.getByText('Traitée dans le délai')).toBeVisible();
      await snapshot(page, 'portal-tracking-answered');
      await axeClean(page);
    });
  });

  test('a request waiting for the citizen takes the reply from the tracking page', async ({ page, axeClean, snapshot }) => {
    const { receipt, handle } = await fileRequest('demo', { subject: 'Permis de construire', contact: { email: uniqueEmail('attente') } });
    const actor = await actorFor('demo', 'accueil@ville-demo.fr');
    await handle.executeUpdate(askCitizenUpdate, { args: [{ actor, question: 'Pouvez-vous préciser le numéro de la parcelle ?' }] });
    await expect(async () => {
      await page.goto(`/t/demo/suivi/${receipt.reference}?code=${encodeURIComponent(receipt.trackingCode)}`);
      await expect(page.getByRole('heading', { name: 'La mairie attend votre réponse' })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(page.getByText('Pouvez-vous préciser le numéro de la parcelle ?').first()).toBeVisible();
    await snapshot(page, 'portal-tracking-awaiting');
    await axeClean(page);

    await page.getByRole('button', { name: 'Envoyer ma réponse' }).click();
    await expect(page.locator('#erreurs-reponse')).toContainText('Écrivez votre réponse');
    await axeClean(page);

    await page.getByLabel('Votre réponse', { exact: true }).fill('Il s’agit de la parcelle AB 123.');
    await page.getByRole('button', { name: 'Envoyer ma réponse' }).click();
    await expect(page.getByRole('status')).toContainText('Votre réponse a bien été transmise');
    await expect(async () => {
      await page.reload();
      await expect(page.getByText('Votre réponse a été reçue')).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(page.getByText('Il s’agit de la parcelle AB 123.')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'La mairie attend votre réponse' })).toHaveCount(0);
  });

  test('the lookup page finds a request by reference and code, and refuses a wrong pair', async ({ page, axeClean, snapshot }) => {
    const { receipt } = await fileRequest('demo', { subject: 'Stationnement', contact: { email: uniqueEmail('suivi') } });
    await page.goto('/t/demo/suivi');
    await axeClean(page);
    await snapshot(page, 'portal-lookup');
    await page.getByLabel('Référence de la demande').fill(receipt.reference);
    await page.getByLabel('Code de suivi').fill('AAAA-BBBB-CCCC-DDDD-EEEE');
    await page.getByRole('button', { name: 'Afficher ma demande' }).click();
    await expect(page.locator('#erreurs')).toContainText('Aucune demande ne correspond');
    await snapshot(page, 'portal-lookup-error');
    await axeClean(page);
    await page.getByLabel('Code de suivi').fill(receipt.trackingCode.toLowerCase());
    await page.getByRole('button', { name: 'Afficher ma demande' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(receipt.reference);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the question form works as a plain form post, keeping what was typed after an error', async ({ page, browser, axeClean, snapshot }) => {
    const email = uniqueEmail('sansjs');
    await page.goto('/t/demo/question');
    await page.getByLabel('Thème').selectOption('espaces-verts');
    await page.getByLabel('Objet').fill('Banc cassé au square');
    await page.getByLabel('Message').fill('Le banc près de l’aire de jeux est cassé.');
    await page.getByLabel('Adresse électronique').fill(email);
    await page.getByLabel('Par SMS').check();
    await page.getByLabel(/J’accepte/).check();
    await waitMinimumFillTime(page);
    await page.getByRole('button', { name: 'Envoyer ma question' }).click();
    await expect(page).toHaveURL(/\/t\/demo\/question\?brouillon=.+#erreurs$/);
    await expect(page).toHaveTitle(/^Erreur : Poser une question/);
    await expect(page.locator('#erreurs')).toContainText('Indiquez un numéro de mobile pour recevoir la réponse par SMS.');
    await expect(page.getByLabel('Objet')).toHaveValue('Banc cassé au square');
    await expect(page.getByLabel('Thème')).toHaveValue('espaces-verts');
    await snapshot(page, 'portal-question-nojs-errors');
    // axe runs in the page: check the very same server-rendered draft page in a context with scripts.
    const withScripts = await browser.newContext({ javaScriptEnabled: true });
    const sameDraft = await withScripts.newPage();
    await sameDraft.goto(page.url());
    await expect(sameDraft.locator('#erreurs')).toContainText('Indiquez un numéro de mobile');
    await axeClean(sameDraft);
    await withScripts.close();
    await page.getByLabel('Numéro de mobile').fill('06 12 34 56 78');
    await waitMinimumFillTime(page);
    await page.getByRole('button', { name: 'Envoyer ma question' }).click();
    await expect(page).toHaveURL(/\/t\/demo\/confirmation\/\d{4}-\d{6}$/);
    await expect(page.locator('dt:has-text("Service") + dd')).toHaveText('Parcs et jardins');
  });

  test('a filled honeypot or a post faster than a person is refused without filing anything', async ({ page }) => {
    await page.goto('/t/demo/question');
    await page.getByLabel('Thème').selectOption('question');
    await page.getByLabel('Objet').fill('Offre exceptionnelle');
    await page.getByLabel('Message').fill('Achetez maintenant.');
    await page.getByLabel('Adresse électronique').fill(uniqueEmail('robot'));
    await page.getByLabel(/J’accepte/).check();
    await page.getByRole('button', { name: 'Envoyer ma question' }).click();
    await expect(page.locator('#erreurs')).toContainText("Votre envoi n'a pas pu être vérifié");
    await page.locator('#site_web').fill('http://spam.example', { force: true });
    await waitMinimumFillTime(page);
    await page.getByRole('button', { name: 'Envoyer ma question' }).click();
    await expect(page.locator('#erreurs')).toContainText("Votre envoi n'a pas pu être vérifié");
    await expect(page).toHaveURL(/\/question\?brouillon=/);
  });
});
