import { describe, expect, it } from 'vitest';
import { relaisAddress, smppAddress } from './address.js';

describe('SMPP addresses', () => {
  it('sends E.164 numbers as international digits, short codes as they are and names as alphanumeric', () => {
    expect(smppAddress('+33612345678')).toEqual({ ton: 1, npi: 1, value: '33612345678' });
    expect(smppAddress('36180')).toEqual({ ton: 0, npi: 1, value: '36180' });
    expect(smppAddress('VILLEDEMO')).toEqual({ ton: 5, npi: 0, value: 'VILLEDEMO' });
  });

  it('reads what an SMSC sends back into the same form', () => {
    for (const address of ['+33612345678', '+262692123456', '36180', 'VILLEDEMO']) {
      const { ton, value } = smppAddress(address);
      expect(relaisAddress(value, ton), address).toBe(address);
    }
    expect(relaisAddress('0033612345678')).toBe('+33612345678');
    expect(relaisAddress('612345678', 2)).toBe('+33612345678');
  });
});
