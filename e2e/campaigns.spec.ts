import { closeAllORMs } from '@/domain/orm';
import { seedSmsSubscribers } from '@/temporal/testing/campaigns';
import { consoleLogin, expect, test } from './fixtures';

test.afterAll(() => closeAllORMs());

test('an agent composes a campaign, a head approves it, and its progress reaches 100 % without a reload', async ({ browser, axeClean, snapshot }) => {
  // The run, its receipts and the chart's refresh (every ten seconds at most) take most of a minute on a busy machine.
  test.setTimeout(120_000);
  await seedSmsSubscribers('demo', 'meteo', 20);
  const title = `Vigilance orages ${Date.now()}`;
  const agent = await consoleLogin(browser, 'accueil@ville-demo.fr', 'demo-agent-2026');
  let campaignUrl = '';

  await test.step('the agent composes from a template of the list and sees the SMS measured live', async () => {
    await agent.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Campagnes' }).click();
    await expect(agent.getByRole('heading', { level: 1, name: 'Campagnes d’information' })).toBeVisible();
    await agent.getByRole('link', { name: 'Nouvelle campagne' }).click();
    await agent.getByLabel('Liste').selectOption({ label: 'Alertes météo' });
    await agent.getByLabel('Modèle').selectOption({ label: 'Vigilance météo' });
    await agent.getByLabel('Titre (pour la console)').fill(title);
    await agent.getByLabel('niveau').fill('orange');
    await agent.getByLabel('phenomene').fill('orages');
    await agent.getByLabel('debut').fill('18 h');
    await agent.getByLabel('consignes').fill('Evitez les deplacements.');
    await agent.getByLabel('Courriel', { exact: true }).uncheck();
    await expect(agent.getByTestId('sms-preview')).toContainText('Vigilance orange orages à partir de 18 h. Evitez les deplacements.');
    await expect(agent.getByTestId('sms-preview')).toContainText('STOP METEO');
    await expect(agent.getByTestId('sms-encoding')).toHaveText('GSM 7 bits');
    await expect(agent.getByTestId('sms-segments')).toHaveText('1');
    await axeClean(agent);
    // A character outside the GSM alphabet switches the preview to UCS-2.
    await agent.getByLabel('consignes').fill('Restez à l’abri.');
    await expect(agent.getByTestId('sms-encoding')).toHaveText('UCS-2 (Unicode)');
    await expect(agent.getByTestId('sms-segments')).toHaveText('2');
    await snapshot(agent, 'campaign-compose');
    await agent.getByRole('button', { name: 'Soumettre pour approbation' }).click();
    await expect(agent.getByRole('heading', { level: 1, name: title })).toBeVisible();
    await expect(agent.getByTestId('campaign-state')).toHaveText('En attente d’approbation');
    // An agent sees no approval button.
    await expect(agent.getByRole('button', { name: 'Approuver et envoyer' })).toHaveCount(0);
    await axeClean(agent);
    campaignUrl = new URL(agent.url()).pathname;
  });

  await test.step('a head approves: the campaign runs and its counters move on the open page', async () => {
    const head = await consoleLogin(browser, 'chef.etat-civil@ville-demo.fr', 'demo-agent-2026');
    await head.goto(campaignUrl);
    await head.getByRole('button', { name: 'Approuver et envoyer' }).click();
    await expect(head.getByTestId('campaign-state')).toHaveText('Terminée', { timeout: 60_000 });
    await expect(head.getByTestId('campaign-progress')).toHaveAttribute('value', '100');
    await expect(head.getByTestId('count-queued')).toHaveText('0');
    const total = Number(await head.getByTestId('count-total').textContent());
    expect(total).toBeGreaterThanOrEqual(20);
    // Delivery receipts come in after the end: the counter follows them without a reload.
    await expect(head.getByTestId('count-delivered')).toHaveText(String(total), { timeout: 30_000 });
    // The chart follows the counters (refreshed at most every ten seconds); its figures are written out for screen readers.
    const chart = head.getByTestId('campaign-chart');
    await expect(chart.getByTestId('campaign-chart-summary')).toContainText(`${total} messages envoyés, ${total} remis, 0 en échec`, { timeout: 30_000 });
    await expect(chart.locator('svg.recharts-surface').first()).toBeVisible();
    await chart.getByText('Voir les chiffres de la chronologie').click();
    const last = chart.getByTestId('campaign-chart-table').getByRole('row').last();
    await expect(last.getByRole('cell')).toHaveText([String(total), String(total), '0']);
    await axeClean(head);
    await snapshot(head, 'campaign-done');

    // The agent's page, left open since the submission, reached 100 % by polling as well.
    await expect(agent.getByTestId('campaign-progress')).toHaveAttribute('value', '100', { timeout: 30_000 });
    const download = head.waitForEvent('download');
    await head.getByRole('link', { name: 'Exporter le rapport (CSV)' }).click();
    expect((await download).suggestedFilename()).toMatch(/^campagne-[0-9a-f]{8}\.csv$/);
  });
});

test('the author rewrites a draft in the composer, then submits it', async ({ browser, axeClean }) => {
  const agent = await consoleLogin(browser, 'accueil@ville-demo.fr', 'demo-agent-2026');
  const title = `Brouillon ${Date.now()}`;
  const composed = await agent.request.post('/api/v1/t/demo/agent/campaigns', {
    data: { list: 'meteo', title, body: 'Premier jet du message.', channels: ['sms'] },
    headers: { origin: new URL(agent.url()).origin },
  });
  expect(composed.status()).toBe(201);
  const { id } = await composed.json();

  await test.step('the draft page offers the edit, the composer opens with the draft’s text', async () => {
    await agent.goto(`/console/demo/campagnes/${id}`);
    await expect(agent.getByTestId('campaign-state')).toHaveText('Brouillon');
    await agent.getByRole('link', { name: 'Modifier le brouillon' }).click();
    await expect(agent.getByRole('heading', { level: 1, name: 'Modifier la campagne' })).toBeVisible();
    await expect(agent.getByLabel('Titre (pour la console)')).toHaveValue(title);
    await expect(agent.getByLabel('Message')).toHaveValue('Premier jet du message.');
    await axeClean(agent);
  });

  await test.step('the rewritten text is measured, saved and submitted', async () => {
    await agent.getByLabel('Titre (pour la console)').fill(`${title} (relu)`);
    await agent.getByLabel('Message').fill('Message relu avant envoi.');
    await expect(agent.getByTestId('sms-preview')).toContainText('Message relu avant envoi.');
    await agent.getByRole('button', { name: 'Soumettre pour approbation' }).click();
    await expect(agent.getByRole('heading', { level: 1, name: `${title} (relu)` })).toBeVisible();
    await expect(agent.getByTestId('campaign-state')).toHaveText('En attente d’approbation');
    await expect(agent.getByText('Message relu avant envoi.')).toBeVisible();
    await expect(agent.getByRole('link', { name: 'Modifier le brouillon' })).toHaveCount(0);
  });
});
