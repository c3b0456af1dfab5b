import { afterAll, describe, expect, it } from 'vitest';
import { appContext } from '@/app/_server/context';
import { displayPhone } from '@/domain/contact/phone';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { confirmationCode, readLink } from '@/domain/subscriptions/tokens';
import { ConflictError, InputError, NotFoundError } from '@/domain/validation';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { citizenEmail, waitForMail } from '@/temporal/testing/helpers';
import { subscriptionState, uniqueMobile, waitForSms } from '@/temporal/testing/subscriptions';
import { POST } from './v1/t/[tenant]/subscriptions/route';

afterAll(() => closeAllORMs());

function subscribe(tenant: string, body: unknown, init: { contentType?: string; address?: string; raw?: string } = {}): Promise<Response> {
  const request = new Request('http://relais.test/api', {
    method: 'POST',
    headers: { 'content-type': init.contentType ?? 'application/json', 'x-forwarded-for': init.address ?? '198.51.100.70', 'user-agent': 'Navigateur de test' },
    body: init.raw ?? JSON.stringify(body),
  });
  return POST(request, { params: Promise.resolve({ tenant }) });
}

const context = { via: 'portal', clientAddress: '198.51.100.71', userAgent: 'Navigateur de test' };

/** The `jeton` of the portal link in an e-mail's text. */
function tokenIn(text: string | undefined): string {
  const match = /jeton=([A-Za-z0-9._-]+)/.exec(text ?? '');
  if (!match) throw new Error(`no link in ${text}`);
  return match[1];
}

describe('POST /api/v1/t/{tenant}/subscriptions, by e-mail (double opt-in)', () => {
  it('answers 202, sends one link, and activates only when the link is used, with the consent recorded', async () => {
    const email = citizenEmail('abonne');
    const response = await subscribe('demo', { list: 'meteo', email: email.toUpperCase() });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: 'pending', channels: ['email'] });
    expect((await subscriptionState('demo', 'meteo', email))?.status).toBe('pending');

    const [mail] = await waitForMail(email);
    expect(mail.subject).toBe('Confirmez votre abonnement : Alertes météo');
    expect(mail.text).toContain('/t/demo/abonnements/confirmer?jeton=');
    const token = tokenIn(mail.text);
    const { subscriptions } = await appContext();
    // Another tenant's page does not take the link.
    await expect(subscriptions.confirmByLink('autre-commune', token, context)).rejects.toThrow(NotFoundError);
    expect((await subscriptionState('demo', 'meteo', email))?.status).toBe('pending');

    const confirmed = await subscriptions.confirmByLink('demo', token, context);
    expect(confirmed).toMatchObject({ listSlug: 'meteo', listLabel: 'Alertes météo', channel: 'email' });
    const state = await subscriptionState('demo', 'meteo', email);
    expect(state).toMatchObject({ status: 'active', consent_method: 'email_double_opt_in' });
    expect(Date.now() - new Date(state!.consent_at!).getTime()).toBeLessThan(60_000);
    expect(state!.consent_proof).toEqual({ via: 'portal', clientAddress: '198.51.100.71', userAgent: 'Navigateur de test', attempt: 1, address: email });
    expect(state!.events.map((e) => [e.kind, e.method])).toEqual([['requested', 'api'], ['confirmed', 'email_double_opt_in']]);
    expect(state!.events[0].proof).toMatchObject({ clientAddress: '198.51.100.70', userAgent: 'Navigateur de test' });
    // Using the link again changes nothing.
    await subscriptions.confirmByLink('demo', token, context);
    expect((await subscriptionState('demo', 'meteo', email))!.events).toHaveLength(2);
    // Asking again while active sends nothing more and answers the same.
    expect((await subscribe('demo', { list: 'meteo', email })).status).toBe(202);
    expect((await subscriptionState('demo', 'meteo', email))!.confirmation_attempt).toBe(1);
  });

  it('voids the first link once a second one is sent, and refuses a forged or another purpose’s token', async () => {
    const email = citizenEmail('relance');
    await subscribe('demo', { list: 'infos', email });
    const [first] = await waitForMail(email);
    await subscribe('demo', { list: 'infos', email });
    const both = await waitForMail(email, () => true, { count: 2 });
    const second = both.find((m) => m.id !== first.id)!;
    const { subscriptions } = await appContext();
    await expect(subscriptions.confirmByLink('demo', tokenIn(first.text), context)).rejects.toThrow(ConflictError);
    const forged = tokenIn(second.text).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    await expect(subscriptions.confirmByLink('demo', forged, context)).rejects.toThrow(NotFoundError);
    const subject = readLink('confirm', tokenIn(second.text))!;
    await expect(subscriptions.unsubscribeByLink('demo', tokenIn(second.text), context)).rejects.toThrow(NotFoundError);
    await subscriptions.confirmByLink('demo', tokenIn(second.text), context);
    expect((await subscriptionState('demo', 'infos', email))).toMatchObject({ id: subject.id, status: 'active', confirmation_attempt: 2 });
  });
});

describe('POST /api/v1/t/{tenant}/subscriptions, by SMS (a code)', () => {
  it('sends a code to the mobile; a wrong code is counted, the right one activates and lifts an earlier STOP', async () => {
    const phone = uniqueMobile();
    const em = (await initORM(env().DATABASE_URL!)).em.fork();
    const [{ id: tenantId }] = await query<{ id: string }>(em, "select id from tenant where slug = 'demo'");
    await query(em, 'insert into sms_opt_out (id, tenant_id, phone) values (gen_random_uuid(), ?, ?)', [tenantId, phone]);

    const response = await subscribe('demo', { list: 'securite', phone: displayPhone(phone) });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { status: string; channels: string[]; codeUrl: string };
    expect(body).toMatchObject({ status: 'pending', channels: ['sms'] });
    expect(body.codeUrl).toMatch(/^http:\/\/relais\.test\/t\/demo\/abonnements\/code\?jeton=/);
    const token = new URL(body.codeUrl).searchParams.get('jeton')!;
    const subject = readLink('code', token)!;
    const code = confirmationCode(subject.id, 1);
    const [sms] = await waitForSms(phone, (text) => text.includes('Sécurité'));
    expect(sms).toBe(`Ville de Démo : votre code pour vous abonner a "Sécurité" est ${code}. Il est valable 30 minutes.`);

    const { subscriptions } = await appContext();
    const wrong = code === '000000' ? '111111' : '000000';
    await expect(subscriptions.confirmByCode('demo', token, wrong, context)).rejects.toThrow(/Il vous reste 4 essai/);
    await expect(subscriptions.confirmByCode('demo', token, 'abc', context)).rejects.toThrow(InputError);
    expect((await subscriptionState('demo', 'securite', phone))?.status).toBe('pending');
    await subscriptions.confirmByCode('demo', token, `${code.slice(0, 3)} ${code.slice(3)}`, context);
    expect(await subscriptionState('demo', 'securite', phone)).toMatchObject({ status: 'active', consent_method: 'sms_code' });
    expect(await query(em, 'select 1 from sms_opt_out where tenant_id = ? and phone = ?', [tenantId, phone])).toEqual([]);
  });

  it('voids a code after five wrong tries', async () => {
    const phone = uniqueMobile();
    const body = (await (await subscribe('demo', { list: 'infos', phone })).json()) as { codeUrl: string };
    const token = new URL(body.codeUrl).searchParams.get('jeton')!;
    const code = confirmationCode(readLink('code', token)!.id, 1);
    const wrong = code === '999999' ? '888888' : '999999';
    const { subscriptions } = await appContext();
    for (let i = 0; i < 5; i++) await expect(subscriptions.confirmByCode('demo', token, wrong, context)).rejects.toThrow(InputError);
    await expect(subscriptions.confirmByCode('demo', token, code, context)).rejects.toThrow(ConflictError);
    expect((await subscriptionState('demo', 'infos', phone))?.status).toBe('pending');
  });
});

describe('subscription requests refused', () => {
  it('answers 400 with French field errors, 404 for an unknown tenant, 415 and 413 like the request API; nothing is written', async () => {
    const email = citizenEmail('refus');
    const cases: Array<[unknown, string, RegExp]> = [
      [{ list: 'meteo' }, '', /adresse e-mail ou un numéro/],
      [{ list: 'inconnue', email }, '/list', /Liste inconnue/],
      [{ list: 'elus', email }, '/list', /Liste inconnue/],
      [{ list: 'cantine', phone: uniqueMobile() }, '/phone', /pas proposée par SMS/],
      [{ list: 'meteo', email: 'pas-une-adresse' }, '/email', /e-mail invalide/],
      [{ list: 'meteo', phone: '12' }, '/phone', /mobile invalide/],
      [{ list: 'meteo', email, extra: 1 }, '/extra', /./],
    ];
    for (const [body, path, message] of cases) {
      const response = await subscribe('demo', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const { errors } = (await response.json()) as { errors: Array<{ path: string; message: string }> };
      expect(errors.find((e) => e.path === path)?.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await subscribe('commune-inconnue', { list: 'meteo', email })).status).toBe(404);
    expect((await subscribe('demo', { list: 'meteo', email }, { contentType: 'text/plain' })).status).toBe(415);
    expect((await subscribe('demo', null, { raw: JSON.stringify({ list: 'meteo', email, x: 'x'.repeat(300 * 1024) }) })).status).toBe(413);
    expect(await subscriptionState('demo', 'meteo', email)).toBeUndefined();
  });

  it('counts requests against the tenant’s public API limits: 429 with Retry-After past the contact’s limit', async () => {
    const tenant = await createTestTenant();
    const em = (await initORM(env().DATABASE_URL!)).em.fork();
    await query(em, "update tenant set settings = jsonb_set(settings, '{limits}', ?::jsonb) where slug = ?", [JSON.stringify({ perContactPerHour: 2 }), tenant.slug]);
    await query(
      em,
      `insert into subscription_list (id, tenant_id, slug, label, channels) select gen_random_uuid(), id, 'travaux', 'Travaux', '{email}' from tenant where slug = ?`,
      [tenant.slug],
    );
    const email = citizenEmail('limite');
    for (let i = 0; i < 2; i++) expect((await subscribe(tenant.slug, { list: 'travaux', email }, { address: `198.51.100.${80 + i}` })).status).toBe(202);
    const refused = await subscribe(tenant.slug, { list: 'travaux', email }, { address: '198.51.100.90' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('preferences page', () => {
  it('lists the channel’s public lists with their state; leaving and joining are recorded in the consent trail', async () => {
    const email = citizenEmail('preferences');
    await subscribe('demo', { list: 'cantine', email });
    const [mail] = await waitForMail(email);
    const { subscriptions } = await appContext();
    const { preferencesToken } = await subscriptions.confirmByLink('demo', tokenIn(mail.text), context);
    await expect(subscriptions.preferences('autre-commune', preferencesToken)).rejects.toThrow(NotFoundError);
    const before = await subscriptions.preferences('demo', preferencesToken);
    expect(before).toMatchObject({ tenantSlug: 'demo', channel: 'email', address: email });
    expect(before.lists.map((l) => [l.slug, l.status])).toEqual([['meteo', 'none'], ['securite', 'none'], ['cantine', 'active'], ['infos', 'none']]);

    const after = await subscriptions.updatePreferences('demo', preferencesToken, ['infos', 'elus'], { ...context, via: 'preferences_link' });
    expect(after.lists.map((l) => [l.slug, l.status])).toEqual([['meteo', 'none'], ['securite', 'none'], ['cantine', 'unsubscribed'], ['infos', 'active']]);
    const cantine = await subscriptionState('demo', 'cantine', email);
    expect(cantine!.events.map((e) => [e.kind, e.method])).toEqual([['requested', 'api'], ['confirmed', 'email_double_opt_in'], ['withdrawn', 'preferences_link']]);
    expect(await subscriptionState('demo', 'infos', email)).toMatchObject({ status: 'active', consent_method: 'preferences_link' });
    // An internal list cannot be joined from the page.
    expect(await subscriptionState('demo', 'elus', email)).toBeUndefined();
  });
});
