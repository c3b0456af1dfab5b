import { describe, expect, it } from 'vitest';
import { describeEndpoint, parseSmppUrl } from './config.js';

describe('parseSmppUrl', () => {
  it('reads system_id, password, host and port of a plain smpp URL', () => {
    expect(parseSmppUrl('smpp://relais:s%40cret@smsc.example.fr:2776')).toEqual({
      host: 'smsc.example.fr',
      port: 2776,
      tls: false,
      systemId: 'relais',
      password: 's@cret',
      systemType: '',
    });
  });

  it('uses TLS and port 3550 for ssmpp, and reads system_type', () => {
    expect(parseSmppUrl('ssmpp://relais:pw@smsc.example.fr?system_type=VMA')).toMatchObject({
      tls: true,
      port: 3550,
      systemType: 'VMA',
    });
  });

  it('refuses other schemes, a missing system_id and over-long credentials without echoing the password', () => {
    expect(() => parseSmppUrl('http://a:b@host')).toThrow(/scheme/);
    expect(() => parseSmppUrl('smpp://host:2775')).toThrow(/system_id/);
    expect(() => parseSmppUrl('smpp://relais:secret123@host')).toThrow(/password is longer/);
    expect(() => parseSmppUrl('smpp://relais:secret123@host')).not.toThrow(/secret123/);
  });

  it('reads the rate limit and window from the query string and refuses nonsense', () => {
    expect(parseSmppUrl('smpp://relais:pw@host?rate=80&window=20')).toMatchObject({ ratePerSecond: 80, windowSize: 20 });
    expect(() => parseSmppUrl('smpp://relais:pw@host?rate=0')).toThrow(/rate must be a positive/);
    expect(() => parseSmppUrl('smpp://relais:pw@host?window=2.5')).toThrow(/window must be a positive integer/);
  });

  it('describes an endpoint without its password', () => {
    expect(describeEndpoint(parseSmppUrl('smpp://relais:pw@127.0.0.1:2775'))).toBe('smpp://relais@127.0.0.1:2775');
  });
});
