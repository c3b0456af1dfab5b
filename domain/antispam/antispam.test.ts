import { describe, expect, it } from 'vitest';
import { MIN_FILL_MS, checkHoneypot, createFormClock } from './form-clock';
import { SpamRefusal } from './refusal';
import { createSubmissionLimiter } from './submission-limiter';
import { normaliseContact } from './contact';

describe('anti-spam without a CAPTCHA', () => {
  it('accepts a form filled in at a human pace and refuses one posted at once', () => {
    let now = 1_000_000;
    const clock = createFormClock('secret', () => now);
    const token = clock.issue();
    now += 500;
    expect(() => clock.check(token)).toThrow(expect.objectContaining({ reason: 'too-fast' }));
    now += MIN_FILL_MS;
    expect(() => clock.check(token)).not.toThrow();
  });

  it('refuses a forged, missing or expired token', () => {
    let now = 1_000_000;
    const clock = createFormClock('secret', () => now);
    const other = createFormClock('autre', () => now);
    now += 10_000;
    expect(() => clock.check(other.issue().replace(/^\d+/, String(now - 10_000)))).toThrow(SpamRefusal);
    expect(() => clock.check(undefined)).toThrow(SpamRefusal);
    expect(() => clock.check('abc.def')).toThrow(SpamRefusal);
    const token = clock.issue();
    now += 13 * 3600_000;
    expect(() => clock.check(token)).toThrow(expect.objectContaining({ reason: 'token' }));
  });

  it('refuses a filled honeypot only', () => {
    expect(() => checkHoneypot('')).not.toThrow();
    expect(() => checkHoneypot(null)).not.toThrow();
    expect(() => checkHoneypot('http://spam.example')).toThrow(expect.objectContaining({ reason: 'honeypot' }));
  });

  it('limits submissions per IP and per contact, with a French message', async () => {
    const limiter = createSubmissionLimiter({ perIp: 3, perContact: 2, windowSeconds: 60 });
    await limiter.consume('10.0.0.1', ['a@b.fr']);
    await limiter.consume('10.0.0.2', ['A@B.fr ']);
    const refusal = await limiter.consume('10.0.0.3', ['a@b.fr']).catch((e) => e);
    expect(refusal).toBeInstanceOf(SpamRefusal);
    expect(refusal.reason).toBe('rate-contact');
    expect(refusal.fieldError.message).toMatch(/réessayer dans 1 minute/);
    await limiter.consume('10.0.0.9', ['x@y.fr']);
    await limiter.consume('10.0.0.9', ['z@y.fr']);
    await limiter.consume('10.0.0.9', ['w@y.fr']);
    await expect(limiter.consume('10.0.0.9', ['v@y.fr'])).rejects.toMatchObject({ reason: 'rate-ip' });
  });

  it('does not count values that are no contact at all under one shared key', async () => {
    const limiter = createSubmissionLimiter({ perIp: 100, perContact: 1, windowSeconds: 60 });
    for (let i = 0; i < 5; i++) await expect(limiter.consume(`10.0.1.${i}`, ['pas un numéro', 'Bonjour'])).resolves.toBeUndefined();
    await limiter.consume('10.0.1.9', ['06 12 34 56 78']);
    await expect(limiter.consume('10.0.1.10', ['06.12.34.56.78'])).rejects.toMatchObject({ reason: 'rate-contact' });
  });

  it('treats spellings of one phone number as one contact', () => {
    expect(normaliseContact('+33 6 12 34 56 78')).toBe(normaliseContact('06.12.34.56.78'));
  });
});
