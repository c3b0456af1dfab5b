import { describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { smsc, smsTexts, subscriptionState, uniqueMobile, waitForSms } from '@/temporal/testing/subscriptions';

const DEMO_NUMBER = '36180';

async function db() {
  return (await initORM(env().DATABASE_URL!)).em.fork();
}

async function outcomes(phone: string): Promise<string[]> {
  const rows = await query<{ outcome: string }>(await db(), 'select outcome from sms_inbound where sender = ? order by received_at', [phone]);
  return rows.map((row) => row.outcome);
}

async function optedOut(phone: string): Promise<boolean> {
  const rows = await query(await db(), "select 1 from sms_opt_out o join tenant t on t.id = o.tenant_id where t.slug = 'demo' and o.phone = ?", [phone]);
  return rows.length > 0;
}

/** Sends an SMS to the demo short number; the simulator returns once the worker has handled it. */
const send = (from: string, text: string) => smsc().injectMo({ from, to: DEMO_NUMBER, text });

describe('list keywords sent to the short number (worker bound to the SMSC simulator)', () => {
  it('ABO <LISTE> subscribes at once with the SMS as proof, and answers how to stop', async () => {
    const phone = uniqueMobile();
    await send(phone, 'abo météo');
    expect(await outcomes(phone)).toEqual(['subscribed']);
    const state = await subscriptionState('demo', 'meteo', phone);
    expect(state).toMatchObject({ status: 'active', consent_method: 'sms_keyword' });
    expect(state!.consent_proof).toMatchObject({ via: 'sms', text: 'abo météo', address: phone, inboundSmsId: expect.any(String) });
    const [reply] = await waitForSms(phone, (text) => text.includes('Alertes météo'));
    expect(reply).toBe('Ville de Démo : abonnement à "Alertes météo" enregistré. Envoyez STOP METEO pour ne plus le recevoir.');
    // The same SMS delivered again is the same SMS: nothing more happens.
    await send(phone, 'abo météo');
    expect(await smsTexts(phone)).toHaveLength(1);
  });

  it('STOP <LISTE> leaves that list only; STOP leaves them all and writes the opt-out; ABO after STOP lifts it', async () => {
    const phone = uniqueMobile();
    await send(phone, 'ABO METEO');
    await send(phone, 'ABO INFOS');
    await send(phone, 'ABO SECURITE');
    await send(phone, 'STOP METEO');
    expect(await outcomes(phone)).toEqual(['subscribed', 'subscribed', 'subscribed', 'unsubscribed']);
    expect((await subscriptionState('demo', 'meteo', phone))?.status).toBe('unsubscribed');
    expect((await subscriptionState('demo', 'infos', phone))?.status).toBe('active');
    await waitForSms(phone, (text) => text === 'Ville de Démo : vous ne recevrez plus "Alertes météo". Envoyez ABO METEO pour vous réabonner.');
    expect(await optedOut(phone)).toBe(false);

    await send(phone, 'STOP');
    expect((await subscriptionState('demo', 'infos', phone))?.status).toBe('unsubscribed');
    const securite = await subscriptionState('demo', 'securite', phone);
    expect(securite?.status).toBe('unsubscribed');
    expect(securite!.events.at(-1)).toMatchObject({ kind: 'withdrawn', method: 'sms_stop', proof: { text: 'STOP' } });
    expect(await optedOut(phone)).toBe(true);
    await waitForSms(phone, (text) => text.includes('STOP pris en compte'));

    // Not the first text again: the same text from the same number within minutes is a redelivery of that SMS.
    await send(phone, 'Abo infos');
    expect((await subscriptionState('demo', 'infos', phone))?.status).toBe('active');
    expect(await optedOut(phone)).toBe(false);
  });

  it('ABO of an unknown, e-mail-only or internal list answers with the SMS lists and subscribes to nothing', async () => {
    const phone = uniqueMobile();
    await send(phone, 'ABO PISCINE');
    await send(phone, 'ABO CANTINE');
    await send(phone, 'ABO ELUS');
    expect(await outcomes(phone)).toEqual(['refused', 'refused', 'refused']);
    const replies = await waitForSms(phone, (text) => text.includes('liste inconnue'), 3);
    expect(replies[0]).toBe('Ville de Démo : liste inconnue. Listes par SMS : METEO, SECURITE, INFOS. Exemple : ABO METEO');
    for (const list of ['cantine', 'elus']) expect(await subscriptionState('demo', list, phone)).toBeUndefined();
  });
});
