import { randomInt, randomUUID } from 'node:crypto';
import { smscControlClient } from '@/dev/smsc-simulator/control';
import { consoleLogin, expect, sinkMessages, test } from './fixtures';

/** A French mobile number no other test uses, as a citizen types it, and in E.164. */
function mobile(): { typed: string; e164: string } {
  const digits = String(80_000_000 + randomInt(0, 10_000_000));
  return { typed: `07 ${digits.replace(/(\d{2})(?=\d)/g, '$1 ')}`, e164: `+337${digits}` };
}

test('a citizen subscribes by e-mail and SMS on the portal and confirms both; the console shows the consent trail', async ({ page, browser, axeClean, snapshot }) => {
  test.setTimeout(120_000);
  const email = `abonne-${randomUUID().slice(0, 8)}@exemple.fr`;
  const phone = mobile();
  const smsc = smscControlClient(process.env.SMSC_CONTROL_URL!);

  await test.step('the home page leads to the subscription form, which lists the public lists', async () => {
    await page.goto('/t/demo');
    await page.getByRole('link', { name: "S'abonner aux alertes" }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'S’abonner aux alertes et informations' })).toBeVisible();
    await expect(page.getByRole('radio')).toHaveCount(4);
    await axeClean(page);
  });

  await test.step('a list, an address and a mobile number: the code page opens', async () => {
    await page.getByLabel(/Infos locales/).check();
    await page.getByLabel('Adresse électronique (facultatif)').fill(email);
    await page.getByLabel('Numéro de mobile (facultatif)').fill(phone.typed);
    await page.getByRole('button', { name: 'M’abonner' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Confirmer votre abonnement par SMS' })).toBeVisible();
    await snapshot(page, 'subscription-code');
    await axeClean(page);
  });

  await test.step('a wrong code is refused, the code received by SMS confirms', async () => {
    let code = '';
    await expect
      .poll(async () => {
        const texts = (await smsc.messages(phone.e164)).map((m) => m.text);
        code = /est (\d{6})\./.exec(texts.find((t) => t.includes('Infos locales')) ?? '')?.[1] ?? '';
        return code;
      })
      .toMatch(/^\d{6}$/);
    await page.getByLabel('Code reçu par SMS').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Code incorrect' })).toBeVisible();
    await page.getByLabel('Code reçu par SMS').fill(code);
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Abonnement confirmé' })).toBeVisible();
    await expect(page.getByRole('status')).toContainText('STOP INFOS');
  });

  await test.step('the e-mailed link confirms the e-mail subscription with one button', async () => {
    let link = '';
    await expect
      .poll(async () => {
        link = /https?:\/\/\S+\/abonnements\/confirmer\?jeton=\S+/.exec((await sinkMessages(email))[0]?.text ?? '')?.[0] ?? '';
        return link;
      })
      .not.toBe('');
    await page.goto(new URL(link).pathname + new URL(link).search);
    await expect(page.getByRole('heading', { level: 1, name: 'Confirmer votre abonnement' })).toBeVisible();
    await axeClean(page);
    await page.getByRole('button', { name: 'Confirmer mon abonnement' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Abonnement confirmé' })).toBeVisible();
  });

  await test.step('the preferences page shows the list ticked; unticking it unsubscribes', async () => {
    await page.getByRole('link', { name: 'Gérer mes abonnements' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Mes abonnements' })).toBeVisible();
    const infos = page.getByRole('checkbox', { name: /Infos locales/ });
    await expect(infos).toBeChecked();
    await axeClean(page);
    await infos.uncheck();
    await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
    await expect(page.getByRole('status')).toContainText('Vos choix sont enregistrés.');
    await expect(page.getByRole('checkbox', { name: /Infos locales/ })).not.toBeChecked();
  });

  await test.step('the data protection officer finds the address in the console and reads its consent trail in French', async () => {
    const dpo = await consoleLogin(browser, 'dpo@ville-demo.fr', 'demo-dpo-2026');
    await dpo.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Abonnés' }).click();
    await expect(dpo.getByRole('heading', { level: 1, name: 'Abonnés aux listes de diffusion' })).toBeVisible();
    await dpo.getByLabel('Liste').selectOption({ label: 'Infos locales' });
    await dpo.getByLabel('Adresse électronique ou téléphone').fill(phone.typed);
    await dpo.getByRole('button', { name: 'Rechercher' }).click();
    await expect(dpo.getByTestId('subscribers').getByRole('row')).toHaveCount(2);
    await expect(dpo.getByTestId('subscribers')).toContainText('par le code de confirmation reçu par SMS');
    await dpo.getByLabel('Adresse électronique ou téléphone').fill(email.toUpperCase());
    await dpo.getByRole('button', { name: 'Rechercher' }).click();
    await expect(dpo.getByTestId('subscribers').getByRole('row')).toHaveCount(2);
    await expect(dpo.getByTestId('subscribers')).toContainText('Désabonné');
    await axeClean(dpo);
    await dpo.getByRole('link', { name: email }).click();
    await expect(dpo.getByRole('heading', { level: 1, name: email })).toBeVisible();
    const trail = dpo.getByTestId('consent-trail').getByRole('listitem');
    await expect(trail).toHaveCount(3);
    await expect(trail.nth(0)).toContainText('Demande d’abonnement');
    await expect(trail.nth(0)).toContainText('sur le portail de la commune');
    await expect(trail.nth(1)).toContainText('Consentement confirmé');
    await expect(trail.nth(1)).toContainText('par le lien de confirmation envoyé par courriel');
    await expect(trail.nth(1)).toContainText('Origine');
    await expect(trail.nth(2)).toContainText('Consentement retiré');
    await expect(trail.nth(2)).toContainText('sur la page de préférences');
    await axeClean(dpo);
    await snapshot(dpo, 'subscriber-consent-trail');
  });
});
