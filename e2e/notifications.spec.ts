import { randomUUID } from 'node:crypto';
import { recordDeliveryReport } from '@/domain/mail/bounces';
import { deploymentMailTokens } from '@/domain/mail/deployment';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { parseEmail } from '@/integrations/mail/parse';
import { buildDsn } from '@/integrations/mail/testing/dsn';
import { consoleLogin, expect, sinkMessages, test } from './fixtures';

const db = async () => (await initORM(process.env.DATABASE_URL!)).em.fork();

test.afterAll(() => closeAllORMs());

/** The e-mail of a template sent to an address, once the worker has recorded it as accepted. */
async function sentNotification(to: string, template: string) {
  let row: { id: string; message_id: string } | undefined;
  await expect
    .poll(async () => {
      [row] = await query<{ id: string; message_id: string }>(await db(), `select id, message_id from notification where recipient = ? and template = ? and status = 'sent'`, [to, template]);
      return Boolean(row);
    })
    .toBe(true);
  return row!;
}

test('an agent sees every e-mail and SMS of a request, a bounce in plain French, and resends the lost question by SMS', async ({ browser, axeClean, snapshot }) => {
  test.setTimeout(120_000);
  const citizen = `citoyen-${randomUUID().slice(0, 8)}@exemple.fr`;
  const subject = `Trottoir abîmé ${randomUUID().slice(0, 6)}`;
  const response = await fetch(`${process.env.E2E_BASE_URL}/api/v1/t/demo/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'urbanisme', subject, message: 'Le trottoir devant le 12 est abîmé.', contact: { name: 'Jeanne Dupont', email: citizen, phone: '06 12 34 56 78' } }),
  });
  expect(response.status).toBe(201);
  const { reference } = await response.json();
  await sentNotification(citizen, 'acknowledgement');

  const agent = await consoleLogin(browser, 'urbanisme@ville-demo.fr', 'demo-agent-2026');
  const panel = agent.getByTestId('notifications-panel');

  await test.step('the acknowledgement shows as accepted by the mail server, with its reply line', async () => {
    await agent.goto(`/console/demo/demandes/${reference}`);
    await expect(agent.getByRole('heading', { level: 2, name: 'Notifications' })).toBeVisible();
    const ack = panel.getByRole('row').filter({ hasText: 'Accusé de réception' });
    await expect(ack).toContainText('Courriel');
    await expect(ack).toContainText(citizen);
    await expect(ack).toContainText('Accepté par le serveur de messagerie');
    await expect(ack).toContainText('Réponse du serveur : 250');
    await expect(ack.getByRole('button', { name: /Renvoyer par SMS/ })).toBeVisible();
  });

  await test.step('the question to the citizen bounces: the panel and the timeline say so', async () => {
    await agent.getByRole('button', { name: 'Prendre en charge' }).click();
    await expect(agent.getByRole('status').filter({ hasText: 'Prise en charge.' })).toBeVisible();
    await agent.getByLabel('Question').fill('Pouvez-vous préciser le numéro de la rue ?');
    await agent.getByRole('button', { name: 'Envoyer la question' }).click();
    await expect(agent.getByRole('status').filter({ hasText: 'Question envoyée au citoyen.' })).toBeVisible();
    const question = await sentNotification(citizen, 'information_requested');
    const dsn = buildDsn({
      to: deploymentMailTokens().bounceAddress(question.id),
      originalMessageId: question.message_id,
      recipients: [{ recipient: citizen, action: 'failed', status: '5.1.1', diagnostic: `550 5.1.1 <${citizen}>: Recipient address rejected: User unknown` }],
    });
    expect(await recordDeliveryReport(await db(), question.id, (await parseEmail(dsn)).deliveryReport!)).toBe(true);

    await agent.reload();
    const bounced = panel.getByRole('row').filter({ hasText: 'Demande de complément' });
    await expect(bounced).toContainText('Rejeté par le serveur du destinataire (5.1.1 550 5.1.1');
    await expect(bounced).toContainText('Recipient address rejected');
    await expect(agent.locator('.timeline li').filter({ hasText: 'Courriel non distribué' })).toContainText('5.1.1');
    await snapshot(agent, 'console-case-notifications');
    await axeClean(agent);
  });

  await test.step('the agent resends the question by SMS', async () => {
    await panel.getByRole('row').filter({ hasText: 'Demande de complément' }).getByRole('button', { name: /Renvoyer par SMS/ }).click();
    await expect(panel.getByRole('status').filter({ hasText: 'Message renvoyé par SMS.' })).toBeVisible();
    const sms = panel.getByRole('row').filter({ hasText: 'SMS' }).filter({ hasText: '06 12 34 56 78' });
    await expect(sms).toContainText('Demande de complément');
    await expect(sms).toContainText(/En attente|Envoyé au centre SMS|Distribué/);
    await expect(agent.locator('.timeline li').filter({ hasText: 'Message renvoyé au citoyen' })).toContainText('Par SMS');
  });

  await test.step('the citizen’s tracking page tells each message in one line', async () => {
    const ack = (await sinkMessages(citizen)).find((m) => m.subject?.includes('bien été reçue'));
    const link = /https?:\/\/\S+\/suivi\/\S+/.exec(ack?.text ?? '')?.[0];
    expect(link).toBeDefined();
    const page = await (await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' })).newPage();
    await page.goto(new URL(new URL(link!).pathname + new URL(link!).search, process.env.E2E_BASE_URL).toString());
    const lines = page.getByRole('region', { name: 'Messages de la mairie' }).getByRole('listitem');
    await expect(lines.first()).toHaveText(/^Courriel envoyé le \d{1,2}(er)? \S+ \d{4} à \d{1,2} h \d{2}$/);
    await expect(lines.filter({ hasText: 'Courriel non distribué' })).toHaveCount(1);
    await axeClean(page);
  });
});
