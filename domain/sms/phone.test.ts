import { describe, expect, it } from 'vitest';
import { isStop } from './inbound';
import { frenchNationalPhone, normalisePhone, smsSenderOf } from './phone';

describe('phone numbers', () => {
  it('normalises what citizens type and what SMSCs send to E.164, keeping short codes', () => {
    for (const typed of ['06 12 34 56 78', '06.12.34.56.78', '+33 6 12 34 56 78', '33612345678', '0033612345678']) {
      expect(normalisePhone(typed)).toBe('+33612345678');
    }
    expect(normalisePhone('36180')).toBe('36180');
    expect(normalisePhone('447700900123')).toBe('+447700900123');
  });

  it('writes French numbers the way the request form accepts them, and nothing else', () => {
    expect(frenchNationalPhone('+33612345678')).toBe('06 12 34 56 78');
    expect(frenchNationalPhone('+447700900123')).toBeUndefined();
  });

  it("sends a tenant's SMS from its alphanumeric sender id, else its number", () => {
    expect(smsSenderOf({ smsSenderId: 'VILLEDEMO', smsNumber: '36180' })).toBe('VILLEDEMO');
    expect(smsSenderOf({ smsNumber: '36180' })).toBe('36180');
    expect(smsSenderOf({})).toBe('RELAIS');
  });
});

describe('isStop', () => {
  it('recognises STOP whatever the case, spacing and accents, but not a sentence containing it', () => {
    for (const text of ['STOP', 'stop', ' Stop ', 'STOP SMS', 'Arrêt', 'stop.']) expect(isStop(text), text).toBe(true);
    for (const text of ['Stop aux nuisances rue Haute', 'MAIRE stop', '']) expect(isStop(text), text).toBe(false);
  });
});
