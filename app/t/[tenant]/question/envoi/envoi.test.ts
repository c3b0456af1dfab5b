import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { FORM_TOKEN_FIELD } from '@/domain/antispam/fields';
import { createFormClock } from '@/domain/antispam/form-clock';
import { env, resetEnv } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { citizenEmail } from '@/temporal/testing/helpers';

// The portal signs its tokens with RELAIS_SECRET: set before the route builds its guards, so the test can sign too.
process.env.RELAIS_SECRET = randomBytes(32).toString('hex');
resetEnv();
const { POST } = await import('./route');

afterAll(() => closeAllORMs());

/** A token for a form shown ten seconds ago (a person's pace), signed as the portal signs. */
function shownTenSecondsAgo(): string {
  return createFormClock(process.env.RELAIS_SECRET!, () => Date.now() - 10_000).issue();
}

function questionForm(token: string, email: string, consent = true): FormData {
  const form = new FormData();
  form.set('topic', 'question');
  form.set('subject', 'Horaires de la médiathèque');
  form.set('message', `Bonjour, quels sont les horaires ? (${email})`);
  form.set('email', email);
  if (consent) form.set('consent', 'oui');
  form.set(FORM_TOKEN_FIELD, token);
  return form;
}

function send(form: FormData, address = '192.0.2.77', accept = 'application/json'): Promise<Response> {
  const request = new Request('http://relais.test/t/demo/question/envoi', { method: 'POST', headers: { accept, 'x-forwarded-for': address }, body: form });
  return POST(request, { params: Promise.resolve({ tenant: 'demo' }) });
}

async function requestsOf(email: string): Promise<number> {
  const [row] = await query<{ n: number }>((await initORM(env().DATABASE_URL!)).em.fork(), "select count(*)::int as n from request where citizen->>'email' = ?", [email]);
  return row.n;
}

describe('the portal question form', () => {
  it('files one request per form token, one after the other or at once', async () => {
    const token = shownTenSecondsAgo();
    const first = citizenEmail('jeton');
    expect((await send(questionForm(token, first))).status).toBe(200);
    const second = citizenEmail('jeton');
    const replay = await send(questionForm(token, second));
    expect(replay.status).toBe(400);
    expect((await replay.json()).errors[0].message).toMatch(/déjà été envoyé/);
    expect(await requestsOf(first)).toBe(1);
    expect(await requestsOf(second)).toBe(0);

    const shared = shownTenSecondsAgo();
    const racers = Array.from({ length: 5 }, () => citizenEmail('course'));
    const statuses = await Promise.all(racers.map(async (email, i) => (await send(questionForm(shared, email), `192.0.2.${80 + i}`)).status));
    expect(statuses.sort()).toEqual([200, 400, 400, 400, 400]);
    const filed = await Promise.all(racers.map(requestsOf));
    expect(filed.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('keeps the token of a refused form, so the corrected form goes through with it', async () => {
    const token = shownTenSecondsAgo();
    const email = citizenEmail('correction');
    expect((await send(questionForm(token, email, false))).status).toBe(400);
    expect((await send(questionForm(token, email))).status).toBe(200);
    expect(await requestsOf(email)).toBe(1);
  });

  it('answers 429 with Retry-After past the per-address limit, for posts with or without JavaScript', async () => {
    const address = `192.0.2.${100 + Math.floor(Math.random() * 100)}`;
    const token = shownTenSecondsAgo();
    // Refused forms count too: the limit is on posts from one address (30 an hour).
    for (let i = 0; i < 30; i++) expect((await send(questionForm(token, citizenEmail('limite'), false), address)).status).toBe(400);
    const refused = await send(questionForm(token, citizenEmail('limite')), address);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect((await refused.json()).errors[0].message).toMatch(/beaucoup de demandes.*réessayer dans \d+ minute/);
    // Without JavaScript the form comes back with the message; the redirect carries Retry-After as well.
    const plain = await send(questionForm(token, citizenEmail('limite')), address, 'text/html');
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toMatch(/\/t\/demo\/question\?brouillon=/);
    expect(Number(plain.headers.get('retry-after'))).toBeGreaterThan(3000);
  });
});
