import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmscSimulator } from '@/dev/smsc-simulator/simulator';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createSmtpSender, type EmailSender } from '@/integrations/mail/smtp';
import { createSmsChannel } from '@/integrations/smpp/channel';
import type { SmppGateway } from '@/integrations/smpp/gateway';
import { SmsStore } from '@/integrations/smpp/store';
import { startTestSmsc, testGateway } from '@/integrations/smpp/testing';
import { citizenEmail, waitForMail, mailTo } from '@/temporal/testing/helpers';
import { activeSubscription, subscriptionState, uniqueMobile } from '@/temporal/testing/subscriptions';
import { GET as unsubscribeGet, POST as unsubscribePost } from '@/app/api/v1/t/[tenant]/subscriptions/unsubscribe/route';
import { smsActivityChannel } from '@/activities/notifications/sms';
import { createSubscriptionActivities } from './subscription-activities';

let smsc: SmscSimulator;
let gateway: SmppGateway;
let store: SmsStore;
let email: EmailSender;
let activities: ReturnType<typeof createSubscriptionActivities>;

beforeAll(async () => {
  const orm = await initORM(env().DATABASE_URL!);
  smsc = await startTestSmsc();
  gateway = testGateway(smsc);
  await gateway.start();
  store = new SmsStore(orm);
  email = createSmtpSender(env().SMTP_URL!, env().SMTP_FROM);
  activities = createSubscriptionActivities({ orm, email, publicUrl: 'https://relais.example', sms: smsActivityChannel(createSmsChannel({ store, gateway })) });
});

afterAll(async () => {
  email?.close();
  await gateway?.stop();
  await store?.close();
  await smsc?.stop();
});

const smsTo = (phone: string) => smsc.submitted.filter((message) => message.to === phone);

describe('information e-mail to a subscriber', () => {
  it('carries List-Unsubscribe with one-click POST (RFC 8058) and the preferences link; sent once per key', async () => {
    const address = citizenEmail('info');
    const subscriptionId = await activeSubscription('demo', 'infos', 'email', address);
    const key = `test:${randomUUID()}`;
    const message = { subscriptionId, idempotencyKey: key, subject: 'Travaux rue Haute', text: 'La rue Haute sera fermée lundi.' };
    expect(await activities.sendInformation(message)).toBe('sent');
    expect(await activities.sendInformation(message)).toBe('already_sent');
    const [mail] = await waitForMail(address);
    expect(await mailTo(address)).toHaveLength(1);
    expect(mail.subject).toBe('Travaux rue Haute');
    const header = mail.headers['list-unsubscribe'];
    expect(header).toMatch(/^<https:\/\/relais\.example\/api\/v1\/t\/demo\/subscriptions\/unsubscribe\?token=[A-Za-z0-9._-]+>$/);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain('La rue Haute sera fermée lundi.');
    expect(mail.text).toMatch(/Se désabonner ou choisir ses listes : https:\/\/relais\.example\/t\/demo\/abonnements\/preferences\?jeton=/);
  });

  it('one-click POST unsubscribes (idempotently), a GET does not; nothing is sent after', async () => {
    const address = citizenEmail('un-clic');
    const subscriptionId = await activeSubscription('demo', 'meteo', 'email', address);
    expect(await activities.sendInformation({ subscriptionId, idempotencyKey: `test:${randomUUID()}`, subject: 'Vigilance orange', text: 'Orages attendus.' })).toBe('sent');
    const [mail] = await waitForMail(address);
    const target = mail.headers['list-unsubscribe'].slice(1, -1);
    const params = { params: Promise.resolve({ tenant: 'demo' }) };

    const opened = await unsubscribeGet(new Request(target), params);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toMatch(/\/t\/demo\/abonnements\/desabonnement\?jeton=/);
    expect((await subscriptionState('demo', 'meteo', address))?.status).toBe('active');

    // Another tenant's address does not take the token.
    const elsewhere = await unsubscribePost(new Request(target.replace('/t/demo/', '/t/autre/'), { method: 'POST', body: 'List-Unsubscribe=One-Click' }), { params: Promise.resolve({ tenant: 'autre' }) });
    expect(elsewhere.status).toBe(404);

    const oneClick = () =>
      unsubscribePost(new Request(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' }), params);
    const first = await oneClick();
    expect(first.status).toBe(200);
    expect(await first.text()).toMatch(/Désabonnement de « Alertes météo » enregistré/);
    expect((await oneClick()).status).toBe(200);
    const state = await subscriptionState('demo', 'meteo', address);
    expect(state?.status).toBe('unsubscribed');
    expect(state!.events.filter((e) => e.kind === 'withdrawn')).toHaveLength(1);
    expect(state!.events.at(-1)).toMatchObject({ kind: 'withdrawn', method: 'one_click' });

    expect(await activities.sendInformation({ subscriptionId, idempotencyKey: `test:${randomUUID()}`, subject: 'Vigilance rouge', text: 'Restez chez vous.' })).toBe('opted_out');
    expect(await mailTo(address)).toHaveLength(1);

    const forged = await unsubscribePost(new Request(target.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), { method: 'POST', body: 'List-Unsubscribe=One-Click' }), params);
    expect(forged.status).toBe(404);
  });

  it('a browser’s form post is sent back to the portal page', async () => {
    const address = citizenEmail('formulaire');
    const subscriptionId = await activeSubscription('demo', 'cantine', 'email', address);
    await activities.sendInformation({ subscriptionId, idempotencyKey: `test:${randomUUID()}`, subject: 'Menu', text: 'Lundi : lentilles.' });
    const [mail] = await waitForMail(address);
    const response = await unsubscribePost(
      new Request(mail.headers['list-unsubscribe'].slice(1, -1), { method: 'POST', headers: { accept: 'text/html,application/xhtml+xml' }, body: 'List-Unsubscribe=One-Click' }),
      { params: Promise.resolve({ tenant: 'demo' }) },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/\/t\/demo\/abonnements\/desabonnement\?jeton=.*&fait=1$/);
    expect((await subscriptionState('demo', 'cantine', address))?.status).toBe('unsubscribed');
  });
});

describe('information SMS to a subscriber', () => {
  it('names how to stop, and is not sent once the number has sent STOP or left the list', async () => {
    const phone = uniqueMobile();
    const subscriptionId = await activeSubscription('demo', 'meteo', 'sms', phone);
    expect(await activities.sendInformation({ subscriptionId, idempotencyKey: `test:${randomUUID()}`, subject: '', text: 'Vigilance orange orages ce soir.' })).toBe('sent');
    expect(smsTo(phone).map((m) => m.text)).toEqual(['Vigilance orange orages ce soir.\nSTOP METEO au 36180 pour ne plus recevoir ces messages']);

    const em = (await initORM(env().DATABASE_URL!)).em.fork();
    await query(em, "insert into sms_opt_out (id, tenant_id, phone) select gen_random_uuid(), id, ? from tenant where slug = 'demo'", [phone]);
    expect(await activities.sendInformation({ subscriptionId, idempotencyKey: `test:${randomUUID()}`, subject: '', text: 'Vigilance rouge.' })).toBe('opted_out');
    await query(em, 'delete from sms_opt_out where phone = ?', [phone]);
    await query(em, "update subscription set status = 'unsubscribed' where id = ?", [subscriptionId]);
    expect(await activities.sendInformation({ subscriptionId, idempotencyKey: `test:${randomUUID()}`, subject: '', text: 'Fin de vigilance.' })).toBe('opted_out');
    expect(smsTo(phone)).toHaveLength(1);
  });
});

describe('information SMS sent side by side (a campaign batch)', () => {
  it('checks each message at send time, whatever the other messages of its lookup: STOP, left the list, unknown, e-mail', async () => {
    const phones = Array.from({ length: 30 }, () => uniqueMobile());
    const ids = await Promise.all(phones.map((phone) => activeSubscription('demo', 'securite', 'sms', phone)));
    const address = citizenEmail('cote-a-cote');
    const emailId = await activeSubscription('demo', 'securite', 'email', address);
    const em = (await initORM(env().DATABASE_URL!)).em.fork();
    // The same number under another tenant's STOP does not stop it here.
    await query(em, "insert into sms_opt_out (id, tenant_id, phone) select gen_random_uuid(), id, ? from tenant where slug <> 'demo' limit 1", [phones[0]]);
    await query(em, "insert into sms_opt_out (id, tenant_id, phone) select gen_random_uuid(), id, ? from tenant where slug = 'demo'", [phones[1]]);
    await query(em, "update subscription set status = 'unsubscribed' where id = ?", [ids[2]]);

    const send = (subscriptionId: string) => activities.sendInformation({ subscriptionId, idempotencyKey: `test:${randomUUID()}`, subject: 'Alerte', text: 'Exercice de sirène jeudi à 11 h.' });
    const outcomes = await Promise.all([...ids, emailId, randomUUID()].map(send));
    expect(outcomes).toEqual(['sent', 'opted_out', 'opted_out', ...Array(27).fill('sent'), 'sent', 'opted_out']);
    for (const [index, phone] of phones.entries()) expect(smsTo(phone), phone).toHaveLength(index === 1 || index === 2 ? 0 : 1);
    expect(smsTo(phones[3])[0].text).toMatch(/^Exercice de sirène jeudi à 11 h\.\nSTOP SECURITE/);
    await waitForMail(address);

    // A STOP recorded after one send is seen by the next one.
    await query(em, "insert into sms_opt_out (id, tenant_id, phone) select gen_random_uuid(), id, ? from tenant where slug = 'demo'", [phones[4]]);
    expect(await Promise.all([send(ids[4]), send(ids[5])])).toEqual(['opted_out', 'sent']);
  });
});
