import { describe, expect, it } from 'vitest';
import { isStop } from './inbound';
import { frenchNationalPhone, normalisePhone } from './phone';

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
});

describe('isStop', () => {
  it('recognises STOP whatever the case, spacing and accents, but not a sentence containing it', () => {
    for (const text of ['STOP', 'stop', ' Stop ', 'STOP SMS', 'Arrêt', 'stop.']) expect(isStop(text), text).toBe(true);
    for (const text of ['Stop aux nuisances rue Haute', 'MAIRE stop', '']) expect(isStop(text), text).toBe(false);
  });
});
