import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM_TOKEN_FIELD, HONEYPOT_FIELD } from '@/domain/antispam/fields';
import { MIN_FILL_MS, createFormClock } from '@/domain/antispam/form-clock';
import { createSubmissionLimiter } from '@/domain/antispam/submission-limiter';
import { createFormTokenLedger } from '@/domain/antispam/form-tokens';
import { env } from '@/domain/env';
import { createIntake } from '@/domain/intake/submission';
import { createFormIntake, findTenantForm } from '@/domain/intake/forms';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { validSamples } from '@/forms/samples';
import { citizenEmail } from '@/temporal/testing/helpers';
import { NAV_FIELD, PAGE_FIELD, REVIEW_PAGE, type WizardState } from '@/app/_components/forms/step';
import { ANSWERS_FIELD } from '@/app/_components/forms/values';
import { handleFormPost, type FormPostDeps } from './submission';

const FORM = 'brochure-touristique';
let orm: MikroORM;
let version: number;
let submitForm: FormPostDeps['submitForm'];

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  // A starter that starts nothing: these tests are about what reaches the database.
  const intake = createIntake({ orm, publicUrl: 'http://relais.test', startWorkflow: async () => undefined });
  submitForm = createFormIntake({ orm, intake }).submitForm;
  version = (await findTenantForm(orm, 'demo', FORM)).form.version;
});

afterAll(() => closeAllORMs());

/** A citizen's own answers (unique e-mail) and a clock the test moves by hand. */
function citizen() {
  const email = citizenEmail('formulaire');
  let now = Date.now();
  const clock = createFormClock('secret-des-tests', () => now);
  return {
    email,
    answers: { ...validSamples()[FORM], courriel: email },
    clock,
    /** The token of a form shown now. */
    shown: () => clock.issue(),
    wait: (ms: number) => void (now += ms),
  };
}

function deps(clock: ReturnType<typeof createFormClock>, limiter = createSubmissionLimiter()): FormPostDeps {
  return { orm, submitForm, guards: { clock, limiter, tokens: createFormTokenLedger(async () => orm.em.fork()) } };
}

/** "Envoyer la demande" on the review page. */
function sendFromReview(answers: Record<string, unknown>, token: string | undefined, honeypot = ''): FormData {
  const form = new FormData();
  form.set(ANSWERS_FIELD, JSON.stringify(answers));
  form.set(PAGE_FIELD, REVIEW_PAGE);
  form.set(NAV_FIELD, 'send');
  form.set(HONEYPOT_FIELD, honeypot);
  if (token) form.set(FORM_TOKEN_FIELD, token);
  return form;
}

function post(form: FormData, ip = '192.0.2.10') {
  return { tenantSlug: 'demo', formSlug: FORM, version, previous: undefined as WizardState | undefined, form, ip };
}

async function requestsOf(email: string): Promise<number> {
  const [row] = await query<{ n: number }>(orm.em.fork(), "select count(*)::int as n from request where citizen->>'email' = ?", [email]);
  return row.n;
}

describe('anti-spam on smart form posts', () => {
  it('files the request sent from the review at a human pace', async () => {
    const c = citizen();
    const token = c.shown();
    c.wait(MIN_FILL_MS + 1_000);
    const result = await handleFormPost(deps(c.clock), post(sendFromReview(c.answers, token)));
    expect(result.kind).toBe('filed');
    expect(await requestsOf(c.email)).toBe(1);
  });

  it('creates nothing when the honeypot is filled, and says so in French', async () => {
    const c = citizen();
    const token = c.shown();
    c.wait(MIN_FILL_MS + 1_000);
    const result = await handleFormPost(deps(c.clock), post(sendFromReview(c.answers, token, 'http://spam.example')));
    expect(result).toMatchObject({ kind: 'state', state: { review: true, notice: expect.stringMatching(/n'a pas pu être vérifié/) } });
    expect(await requestsOf(c.email)).toBe(0);
  });

  it('refuses a filled honeypot on any page post', async () => {
    const c = citizen();
    const form = new FormData();
    form.set(PAGE_FIELD, '0');
    form.set(NAV_FIELD, 'next');
    form.set('/brochures', 'guide-touristique');
    form.set('/langue', 'fr');
    form.set(HONEYPOT_FIELD, 'spam');
    const result = await handleFormPost(deps(c.clock), post(form));
    expect(result).toMatchObject({ kind: 'state', state: { page: 0, notice: expect.stringMatching(/n'a pas pu être vérifié/) } });
  });

  it('creates nothing when the form is sent faster than a person fills it', async () => {
    const c = citizen();
    const token = c.shown();
    c.wait(500);
    const result = await handleFormPost(deps(c.clock), post(sendFromReview(c.answers, token)));
    expect(result).toMatchObject({ kind: 'state', state: { review: true, answers: c.answers, notice: expect.stringMatching(/n'a pas pu être vérifié/) } });
    expect(await requestsOf(c.email)).toBe(0);
    // The refusal carries a fresh token: a person sending again a little later gets through.
    const fresh = result.kind === 'state' ? result.state.token : undefined;
    expect(fresh).not.toBe(token);
    c.wait(MIN_FILL_MS);
    expect((await handleFormPost(deps(c.clock), post(sendFromReview(c.answers, fresh)))).kind).toBe('filed');
    expect(await requestsOf(c.email)).toBe(1);
  });

  it('creates nothing without a token or with a forged one', async () => {
    const c = citizen();
    c.wait(MIN_FILL_MS);
    const forged = `${Date.now() - 60_000}.bm9uLXNpZ25l`;
    for (const token of [undefined, forged]) {
      const result = await handleFormPost(deps(c.clock), post(sendFromReview(c.answers, token)));
      expect(result).toMatchObject({ kind: 'state', state: { notice: expect.any(String) } });
    }
    expect(await requestsOf(c.email)).toBe(0);
  });

  it('limits requests per contact and per IP address', async () => {
    const c = citizen();
    const token = c.shown();
    c.wait(MIN_FILL_MS);
    const perContact = deps(c.clock, createSubmissionLimiter({ perIp: 10, perContact: 1 }));
    expect((await handleFormPost(perContact, post(sendFromReview(c.answers, token), '192.0.2.20'))).kind).toBe('filed');
    const again = await handleFormPost(perContact, post(sendFromReview(c.answers, token), '192.0.2.21'));
    expect(again).toMatchObject({ kind: 'state', state: { notice: expect.stringMatching(/beaucoup de demandes.*réessayer dans/) } });
    expect(await requestsOf(c.email)).toBe(1);

    const first = citizen();
    const second = citizen();
    const tokens = [first.shown(), second.shown()];
    first.wait(MIN_FILL_MS);
    second.wait(MIN_FILL_MS);
    const limiter = createSubmissionLimiter({ perIp: 1, perContact: 10 });
    expect((await handleFormPost(deps(first.clock, limiter), post(sendFromReview(first.answers, tokens[0]), '192.0.2.30'))).kind).toBe('filed');
    const sameIp = await handleFormPost(deps(second.clock, limiter), post(sendFromReview(second.answers, tokens[1]), '192.0.2.30'));
    expect(sameIp).toMatchObject({ kind: 'state', state: { notice: expect.stringMatching(/beaucoup de demandes/) } });
    expect(await requestsOf(second.email)).toBe(0);
  });

  it('files one request per form token, one after the other or at once', async () => {
    const c = citizen();
    const token = c.shown();
    c.wait(MIN_FILL_MS);
    expect((await handleFormPost(deps(c.clock), post(sendFromReview(c.answers, token)))).kind).toBe('filed');
    // The same token with other answers: refused, with a fresh token to send the form properly.
    const other = citizen();
    const replay = await handleFormPost(deps(c.clock), post(sendFromReview(other.answers, token)));
    expect(replay).toMatchObject({ kind: 'state', state: { notice: expect.stringMatching(/déjà été envoyé/) } });
    expect(replay.kind === 'state' && replay.state.token).not.toBe(token);
    expect(await requestsOf(other.email)).toBe(0);

    const racers = [citizen(), citizen(), citizen()];
    const shared = c.shown();
    c.wait(MIN_FILL_MS);
    const results = await Promise.all(racers.map((r) => handleFormPost(deps(c.clock), post(sendFromReview(r.answers, shared)))));
    expect(results.filter((r) => r.kind === 'filed')).toHaveLength(1);
    const filed = await Promise.all(racers.map((r) => requestsOf(r.email)));
    expect(filed.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('gives the token back when the filing is refused, so the corrected form goes through with it', async () => {
    const c = citizen();
    const token = c.shown();
    c.wait(MIN_FILL_MS);
    const refused = await handleFormPost(deps(c.clock), post(sendFromReview({ ...c.answers, courriel: 'pas-une-adresse' }, token)));
    expect(refused.kind).toBe('state');
    expect((await handleFormPost(deps(c.clock), post(sendFromReview(c.answers, token)))).kind).toBe('filed');
    expect(await requestsOf(c.email)).toBe(1);
  });

  it('drops carried answers nested thousands deep instead of failing to send the page state back', async () => {
    const c = citizen();
    const form = sendFromReview(c.answers, c.shown());
    form.set(ANSWERS_FIELD, `{"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);
    form.set(NAV_FIELD, 'next');
    const result = await handleFormPost(deps(c.clock), post(form));
    expect(result.kind).toBe('state');
    expect(() => JSON.stringify(result)).not.toThrow();
    expect(JSON.stringify(result)).not.toContain('"a":{"a"');
  });
});
