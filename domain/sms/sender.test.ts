import { describe, expect, it } from 'vitest';
import { isStop } from './inbound';
import { smsSenderOf } from './sender';

describe('SMS sender', () => {
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
