import { describe, expect, it } from 'vitest';
import { encodeSms, isGsmEncodable } from '@/domain/sms/encoding';
import { DEFAULT_SMS_TEMPLATES, SMS_INLINE_MAX_SEGMENTS, composeSms } from './sms-texts';

const vars = {
  tenantName: 'Ville de Démo',
  reference: '2026-000123',
  trackingCode: '7KQ2-M9XD-4B8N-P3RT-ZW6Y',
  trackingUrl: 'https://relais.example.fr/t/demo/suivi/2026-000123',
  dueDay: '08/12/2026',
  stateLabel: 'Traitement en cours',
  smsNumber: '36180',
};

describe('SMS texts', () => {
  it('keeps every French default inside GSM 03.38, so a segment holds 160 characters', () => {
    for (const [key, template] of Object.entries(DEFAULT_SMS_TEMPLATES)) expect(isGsmEncodable(template), key).toBe(true);
  });

  it('fits the acknowledgement, with reference, date, link and code, in two segments', () => {
    const { text, encoded } = composeSms('acknowledgement', vars);
    expect(text).toBe(
      'Demande 2026-000123 enregistrée. Réponse au plus tard le 08/12/2026. Suivi : https://relais.example.fr/t/demo/suivi/2026-000123 code 7KQ2-M9XD-4B8N-P3RT-ZW6Y',
    );
    expect(encoded.segmentCount).toBeLessThanOrEqual(2);
    // Encoded once, here: what the store keeps and the gateway sends.
    expect(encoded).toEqual(encodeSms(text, { reference: encoded.reference }));
  });

  it('sends a short answer in full and replaces a long one by a link to the tracking page', () => {
    expect(composeSms('answer', { ...vars, answer: 'Votre carte est prête.' })).toMatchObject({
      key: 'answer',
      text: 'Réponse à votre demande 2026-000123 : Votre carte est prête.',
    });
    const long = composeSms('answer', { ...vars, answer: 'Voici la réponse détaillée. '.repeat(30) });
    expect(long.key).toBe('answer_link');
    expect(long.text).toContain(vars.trackingUrl);
    expect(long.encoded.segmentCount).toBeLessThanOrEqual(SMS_INLINE_MAX_SEGMENTS);
  });

  it('uses a tenant override', () => {
    const templates = { ...DEFAULT_SMS_TEMPLATES, state_changed: '{{reference}} : {{stateLabel}}' };
    expect(composeSms('state_changed', vars, templates).text).toBe('2026-000123 : Traitement en cours');
  });
});
