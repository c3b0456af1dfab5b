import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayfipProvider } from '@/integrations/payment/payfip';
import { payfipControlClient } from './control';
import { startPayfipSimulator, TEST_CARDS, type PayfipSimulator } from './simulator';

let simulator: PayfipSimulator;
let payfip: PayfipProvider;

beforeAll(async () => {
  simulator = await startPayfipSimulator({ lateDelayMs: 50 });
  payfip = new PayfipProvider({ numcli: '777001', environment: 'test' }, { serviceUrl: simulator.serviceUrl, paymentUrl: simulator.paymentUrl });
});
afterAll(() => simulator?.stop());

const create = (reference: string, label = 'Caution salle des fêtes <b>&</b>') =>
  payfip.create({ reference, amount: 15_000, label, email: 'paul@exemple.fr', notificationUrl: 'http://127.0.0.1:9/notification', returnUrl: 'http://relais.test/retour?x=1' });

describe('PayFiP simulator payment page', () => {
  it('shows the amount in French and pays with the accepted test card, then sends the browser back with the idop', async () => {
    const created = await create('PAGE000001');
    const page = await (await fetch(created.paymentUrl)).text();
    expect(page).toContain('<html lang="fr">');
    expect(page).toMatch(/150,00\s€/);
    expect(page).toContain('Abandonner le paiement');
    const paid = await fetch(simulator.paymentUrl, { method: 'POST', body: new URLSearchParams({ idop: created.providerId, card: TEST_CARDS.paid, action: 'pay' }) });
    const result = await paid.text();
    expect(result).toContain('Votre paiement a été accepté.');
    expect(result).toContain(`http://relais.test/retour?x=1&#38;idop=${created.providerId}`);
  });

  it('abandons from the page, and tells of a bank that does not answer', async () => {
    const abandoned = await create('PAGE000002');
    const page = await fetch(simulator.paymentUrl, { method: 'POST', body: new URLSearchParams({ idop: abandoned.providerId, action: 'abandon' }) });
    expect(await page.text()).toContain('Vous avez abandonné le paiement.');
    const timedOut = await create('PAGE000003');
    const waiting = await fetch(simulator.paymentUrl, { method: 'POST', body: new URLSearchParams({ idop: timedOut.providerId, card: TEST_CARDS.timeout, action: 'pay' }) });
    expect(await waiting.text()).toContain('La banque ne répond pas.');
    expect((await payfip.verify(timedOut.providerId)).outcome).toBe('pending');
  });
});

describe('PayFiP simulator control API', () => {
  it('sets the notification mode, pays, abandons and lists the notifications sent', async () => {
    const control = payfipControlClient(simulator.url);
    await control.setNotificationMode('twice', { numcli: '777001' });
    const created = await create('CTRL000001');
    expect(await control.pay(created.providerId, TEST_CARDS.paid)).toMatchObject({ resultrans: 'P' });
    await control.drain();
    expect(await control.notifications(created.providerId)).toHaveLength(2);
    expect((await control.payment(created.providerId)).request.montant).toBe('15000');
    await control.setNotificationMode('never', { numcli: '777001' });
    const other = await create('CTRL000002');
    expect(await control.abandon(other.providerId)).toMatchObject({ resultrans: 'A' });
    await control.drain();
    expect(await control.notifications(other.providerId)).toEqual([]);
    await expect(control.setNotificationMode('sometimes' as 'never')).rejects.toThrow('400');
    await expect(control.payment('inconnu')).rejects.toThrow('404');
  });
});
