import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { consoleLogin, expect, sinkMessages, test } from './fixtures';

const DOMAIN = process.env.INBOUND_MAIL_DOMAIN ?? 'relais.localhost';

/** Straight to the worker's inbound SMTP listener, as a citizen's mail server would. */
function toListener() {
  return nodemailer.createTransport({ host: '127.0.0.1', port: Number(process.env.RELAIS_INBOUND_SMTP_PORT), secure: false, ignoreTLS: true });
}

/** Through the development mail sink, which hands mail for the inbound domain to the listener (as under npm start). */
function throughSink() {
  return nodemailer.createTransport(process.env.SMTP_URL!);
}

test('an e-mail becomes a request in the agent’s inbox, the citizen’s reply reaches its timeline, and a stranger’s reply waits in quarantine until attached', async ({ browser, axeClean, snapshot }) => {
  test.setTimeout(180_000);
  const tag = randomUUID().slice(0, 8);
  const citizen = `jeanne-${tag}@exemple.fr`;
  const subject = `Permis de construire ${tag}`;
  const agent = await consoleLogin(browser, 'urbanisme@ville-demo.fr', 'demo-agent-2026');
  let reference = '';

  await test.step('the citizen writes to the topic’s address; the request appears in the inbox and is acknowledged', async () => {
    await toListener().sendMail({ from: `Jeanne Martin <${citizen}>`, to: `urbanisme.demo@${DOMAIN}`, subject, text: 'Bonjour,\n\nquelles pièces joindre à ma demande de permis de construire ?\n\nJeanne Martin' });
    const row = agent.locator('tr[data-reference]', { hasText: subject });
    await expect(row).toBeVisible({ timeout: 30_000 });
    await expect(row).toContainText('Urbanisme / Urbanisme et travaux');
    reference = (await row.getAttribute('data-reference'))!;
    await expect.poll(async () => (await sinkMessages(citizen)).some((m) => m.text?.includes(reference)), { timeout: 30_000 }).toBe(true);
  });

  await test.step('the citizen answers by e-mail through the sink; the reply shows in the case timeline', async () => {
    const replyText = `Je joins le plan cadastral ${tag}.`;
    await throughSink().sendMail({ from: citizen, to: `demo@${DOMAIN}`, subject: `Re: ${subject} [Réf. ${reference}]`, text: `${replyText}\n\nJeanne Martin` });
    await agent.goto(`/console/demo/demandes/${reference}`);
    await expect(async () => {
      await agent.reload();
      await expect(agent.locator('.timeline')).toContainText(replyText, { timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await snapshot(agent, 'console-case-email-reply');
  });

  await test.step('a stranger’s reply is quarantined; the agent attaches it to the request', async () => {
    const strangerText = `Je réponds pour ma voisine ${tag}.`;
    await toListener().sendMail({ from: `voisin-${tag}@exemple.org`, to: `demo@${DOMAIN}`, subject: `Re: ${subject} [Réf. ${reference}]`, text: strangerText });
    const card = agent.locator('article', { hasText: strangerText });
    await expect(async () => {
      await agent.goto('/console/demo/quarantaine');
      await expect(card).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await expect(card).toContainText(`voisin-${tag}@exemple.org`);
    await expect(card).toContainText("n'est pas l'adresse du demandeur");
    await expect(card.getByRole('link', { name: new RegExp(reference) })).toBeVisible();
    await expect(agent.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: /Courriels en quarantaine/ })).toContainText(/\d/);
    await snapshot(agent, 'console-quarantine');
    await axeClean(agent);
    await card.getByRole('button', { name: `Rattacher à la demande ${reference}` }).click();
    await expect(agent.getByRole('status').filter({ hasText: 'Courriel rattaché à la demande' })).toBeVisible();
    await agent.goto(`/console/demo/demandes/${reference}`);
    await expect(agent.locator('.timeline')).toContainText(strangerText);
  });
});
