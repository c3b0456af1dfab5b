import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { consoleLogin, expect, test } from './fixtures';

async function downloaded(page: Page, button: string): Promise<{ name: string; content: Buffer }> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const file = await download;
  return { name: file.suggestedFilename(), content: fs.readFileSync((await file.path())!) };
}

test('the data protection officer finds a citizen, downloads both exports and erases them; the audit trail shows each step', async ({ browser, axeClean, snapshot }) => {
  test.setTimeout(150_000);
  const tag = randomUUID().slice(0, 8);
  const email = `rgpd-${tag}@exemple.fr`;
  // 06 12 …: an allocated metropolitan range; the number is stored in E.164.
  const digits = `12${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const phone = `06 ${digits.replace(/(\d{2})(?=\d)/g, '$1 ')}`;
  const response = await fetch(`${process.env.E2E_BASE_URL}/api/v1/t/demo/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'urbanisme', subject: `Clôture de jardin ${tag}`, message: 'Puis-je poser une clôture ?', contact: { name: 'Camille Rgpd', email, phone } }),
  });
  expect(response.status).toBe(201);
  const { reference } = await response.json();

  const dpo = await consoleLogin(browser, 'dpo@ville-demo.fr', 'demo-dpo-2026');
  await test.step('the console offers the personal-data screen to the dpo, who finds the citizen by a phone number written another way', async () => {
    await dpo.getByRole('link', { name: 'Données personnelles' }).click();
    await expect(dpo.getByRole('heading', { level: 1, name: 'Données personnelles' })).toBeVisible();
    await dpo.getByLabel('Adresse électronique ou numéro de téléphone').fill(`+336${digits}`);
    await dpo.getByRole('button', { name: 'Rechercher' }).click();
    await expect(dpo.getByRole('status').filter({ hasText: '1 demande(s) trouvée(s)' })).toBeVisible();
    const row = dpo.locator(`tr[data-reference="${reference}"]`);
    await expect(row).toContainText('Urbanisme');
    await expect(row).toContainText('Non lu');
    await dpo.getByRole('button', { name: 'Afficher le détail' }).click();
    await expect(dpo.getByText('Camille Rgpd')).toBeVisible();
    await snapshot(dpo, 'console-personal-data');
    await axeClean(dpo);
  });

  await test.step('the JSON and PDF exports download and hold the request', async () => {
    const json = await downloaded(dpo, 'Télécharger l’export JSON');
    expect(json.name).toMatch(/^donnees-personnelles-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(json.content.toString('utf8'));
    expect(data.requests).toEqual([expect.objectContaining({ reference, subject: `Clôture de jardin ${tag}`, citizen: { name: 'Camille Rgpd', email, phone: `+336${digits}` } })]);
    const pdf = await downloaded(dpo, 'Télécharger l’export PDF');
    expect(pdf.name).toMatch(/\.pdf$/);
    const file = test.info().outputPath('export.pdf');
    fs.writeFileSync(file, pdf.content);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain(`Demande ${reference}`);
    expect(text).toContain('Camille Rgpd');
  });

  await test.step('erasing asks for a reason and a confirmation for the open request, then anonymises it', async () => {
    const erase = dpo.getByRole('form', { name: 'Effacer les données de cette personne' });
    await expect(erase).toContainText(`1 demande(s) en cours (${reference})`);
    await erase.getByRole('button', { name: 'Effacer les données' }).click();
    await expect(erase.getByRole('alert').first()).toContainText('Indiquez le motif de l’effacement');
    await erase.getByLabel('Motif de l’effacement (obligatoire)').fill(`Courrier de la personne ${tag}`);
    await erase.getByRole('button', { name: 'Effacer les données' }).click();
    await expect(erase.getByRole('alert').first()).toContainText('confirmez l’effacement');
    await erase.getByLabel('Je confirme l’effacement, y compris des demandes en cours').check();
    await erase.getByRole('button', { name: 'Effacer les données' }).click();
    await expect(dpo.getByRole('status').filter({ hasText: 'Données effacées : 1 demande(s) anonymisée(s).' })).toBeVisible();
    await expect(dpo.getByRole('status').filter({ hasText: 'Aucune demande pour cette personne' })).toBeVisible();
    await axeClean(dpo);
  });

  await test.step('an agent opening the erased request sees it anonymised', async () => {
    const agent = await consoleLogin(browser, 'urbanisme@ville-demo.fr', 'demo-agent-2026');
    await agent.goto(`/console/demo/demandes/${reference}`);
    await expect(agent.getByRole('heading', { level: 1 })).toContainText('Demande anonymisée');
    await expect(agent.getByRole('note')).toContainText('Les données personnelles de cette demande ont été effacées le');
    await expect(agent.getByText('Camille Rgpd')).toHaveCount(0);
    // Nothing can reach the person any more: no answer or transfer is offered, closing is.
    await expect(agent.getByText('cette demande ne peut plus recevoir de réponse ni être transférée. Clôturez-la.')).toBeVisible();
    await expect(agent.getByRole('button', { name: 'Soumettre à validation' })).toHaveCount(0);
    await expect(agent.getByRole('button', { name: 'Transférer' })).toHaveCount(0);
    await expect(agent.getByRole('button', { name: 'Clore la demande' })).toBeVisible();
    // Agents have neither the link nor the screen.
    await expect(agent.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Données personnelles' })).toHaveCount(0);
    await agent.goto('/console/demo/donnees-personnelles');
    await expect(agent.getByRole('heading', { level: 1, name: 'Accès refusé' })).toBeVisible();
  });

  await test.step('the audit screen shows the exports and the erasure, by the dpo, without the address', async () => {
    await dpo.getByRole('link', { name: 'Journal d’audit' }).click();
    await expect(dpo.getByRole('heading', { level: 1, name: 'Journal d’audit' })).toBeVisible();
    const filters = dpo.getByRole('form', { name: 'Filtres du journal' });
    await filters.getByLabel('Demande').fill(reference);
    await filters.getByRole('button', { name: 'Filtrer' }).click();
    const rows = dpo.getByRole('row');
    for (const label of ['Export des données d’une personne (JSON)', 'Export des données d’une personne (PDF)', 'Effacement des données d’une personne']) {
      await expect(rows.filter({ hasText: label }).filter({ hasText: 'Dominique Protection' }).first()).toBeVisible();
    }
    // The erasure's reason leads its details, before the counts.
    await expect(rows.filter({ hasText: 'Effacement des données d’une personne' }).first()).toContainText(`motif : Courrier de la personne ${tag}`);
    await expect(dpo.getByRole('table')).not.toContainText(email);
    await expect(dpo.getByRole('table')).not.toContainText(digits);
    await axeClean(dpo);
    // The reason is in the entry itself, which the CSV export gives whole; the address is there no more than on screen.
    const download = dpo.waitForEvent('download');
    await filters.getByRole('link', { name: 'Exporter en CSV' }).click();
    const csv = fs.readFileSync((await (await download).path())!, 'utf8');
    expect(csv).toContain(`Courrier de la personne ${tag}`);
    expect(csv).not.toContain(email);
    expect(csv).not.toContain(digits);
  });
});
