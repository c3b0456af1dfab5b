import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from './calendar';
import { InvalidDelayError, computeDueAt, parseDelay } from './delay';
import { InvalidInstantError } from './instant';

const calendar = createWorkingCalendar();

function dueAt(receivedAt: Date | string, delay: string, businessDays = true, cal = calendar): Date {
  return computeDueAt({ receivedAt, delay, businessDays, calendar: cal });
}

function expectInstant(actual: Date, expected: string): void {
  expect(actual.toISOString()).toBe(new Date(expected).toISOString());
}

describe('computeDueAt in business days', () => {
  it('skips weekends', () => {
    expectInstant(dueAt('2026-03-02T10:00:00+01:00', 'P8D'), '2026-03-12T10:00:00.000+01:00');
    expectInstant(dueAt('2026-03-06T17:00:00+01:00', 'P1D'), '2026-03-09T17:00:00.000+01:00');
  });

  it('skips Easter Monday', () => {
    expectInstant(dueAt('2026-04-01T10:00:00+02:00', 'P8D'), '2026-04-14T10:00:00.000+02:00');
  });

  it('skips Good Friday as well in Alsace-Moselle', () => {
    const moselle = createWorkingCalendar({ region: '57' });
    expectInstant(dueAt('2026-04-01T10:00:00+02:00', 'P8D', true, moselle), '2026-04-15T10:00:00.000+02:00');
  });

  it('skips 26 December in Alsace-Moselle only', () => {
    const basRhin = createWorkingCalendar({ region: '67' });
    expectInstant(dueAt('2025-12-24T10:00:00+01:00', 'P1D'), '2025-12-26T10:00:00.000+01:00');
    expectInstant(dueAt('2025-12-24T10:00:00+01:00', 'P1D', true, basRhin), '2025-12-29T10:00:00.000+01:00');
  });

  it('skips 1 May and 8 May', () => {
    expectInstant(dueAt('2026-04-29T16:45:00+02:00', 'P5D'), '2026-05-07T16:45:00.000+02:00');
    expectInstant(dueAt('2026-04-29T16:45:00+02:00', 'P6D'), '2026-05-11T16:45:00.000+02:00');
  });

  it('skips Ascension', () => {
    expectInstant(dueAt('2026-05-11T09:30:00+02:00', 'P8D'), '2026-05-22T09:30:00.000+02:00');
  });

  it('skips a closure day bridging Ascension to the weekend, then Whit Monday', () => {
    const withPont = createWorkingCalendar({ closureDays: ['2026-05-15'] });
    expectInstant(dueAt('2026-05-11T09:30:00+02:00', 'P8D', true, withPont), '2026-05-26T09:30:00.000+02:00');
  });

  it('skips Whit Monday', () => {
    expectInstant(dueAt('2026-05-22T14:00:00+02:00', 'P1D'), '2026-05-26T14:00:00.000+02:00');
  });

  it('skips 14 July', () => {
    expectInstant(dueAt('2026-07-13T11:00:00+02:00', 'P1D'), '2026-07-15T11:00:00.000+02:00');
  });

  it('skips 11 November', () => {
    expectInstant(dueAt('2026-11-10T08:00:00+01:00', 'P2D'), '2026-11-13T08:00:00.000+01:00');
  });

  it('skips Christmas and New Year across the year end', () => {
    expectInstant(dueAt('2026-12-24T15:00:00+01:00', 'P3D'), '2026-12-30T15:00:00.000+01:00');
    expectInstant(dueAt('2026-12-30T15:00:00+01:00', 'P2D'), '2027-01-04T15:00:00.000+01:00');
  });

  it('counts a request received on a Saturday from the following Monday', () => {
    expectInstant(dueAt('2026-03-07T10:00:00+01:00', 'P1D'), '2026-03-10T10:00:00.000+01:00');
    expectInstant(dueAt('2026-03-07T10:00:00+01:00', 'P8D'), '2026-03-19T10:00:00.000+01:00');
  });

  it('counts a request received on a public holiday from the next business day', () => {
    expectInstant(dueAt('2026-07-14T10:00:00+02:00', 'P1D'), '2026-07-16T10:00:00.000+02:00');
  });

  it("reads the receipt day in the tenant's time zone, not in UTC", () => {
    // Sunday 23:30 UTC is already Monday 00:30 in Paris, a business day.
    expectInstant(dueAt('2026-03-08T23:30:00Z', 'P1D'), '2026-03-10T00:30:00.000+01:00');
    expectInstant(dueAt(new Date('2026-03-08T22:30:00Z'), 'P1D'), '2026-03-10T23:30:00.000+01:00');
  });

  it('keeps the wall-clock time across the spring DST change', () => {
    expectInstant(dueAt('2026-03-27T09:00:00+01:00', 'P1D'), '2026-03-30T09:00:00.000+02:00');
  });

  it('counts a week as five business days', () => {
    expectInstant(dueAt('2026-03-02T10:00:00+01:00', 'P2W'), '2026-03-16T10:00:00.000+01:00');
    expectInstant(dueAt('2026-05-04T10:00:00+02:00', 'P2W'), '2026-05-20T10:00:00.000+02:00');
    expectInstant(dueAt('2026-03-02T10:00:00+01:00', 'P1W2D'), '2026-03-11T10:00:00.000+01:00');
  });

  it('adds sub-day delays as elapsed time, even on a weekend', () => {
    expectInstant(dueAt('2026-03-07T10:00:00.000+01:00', 'PT30S'), '2026-03-07T10:00:30.000+01:00');
    expectInstant(dueAt('2026-03-07T10:00:00.000+01:00', 'PT0.5S'), '2026-03-07T10:00:00.500+01:00');
    expectInstant(dueAt('2026-03-06T17:00:00+01:00', 'PT48H'), '2026-03-08T17:00:00.000+01:00');
  });

  it('adds the time part after counting business days', () => {
    expectInstant(dueAt('2026-03-06T17:00:00+01:00', 'P1DT2H'), '2026-03-09T19:00:00.000+01:00');
  });

  it('refuses months and years, which have no business-day meaning', () => {
    expect(() => dueAt('2026-03-02T10:00:00+01:00', 'P1M')).toThrow(InvalidDelayError);
    expect(() => dueAt('2026-03-02T10:00:00+01:00', 'P1Y')).toThrow(/business days/);
  });
});

describe('computeDueAt in calendar days', () => {
  it('counts weekends and holidays', () => {
    expectInstant(dueAt('2026-04-01T10:00:00+02:00', 'P8D', false), '2026-04-09T10:00:00.000+02:00');
    expectInstant(dueAt('2026-05-04T10:00:00+02:00', 'P2W', false), '2026-05-18T10:00:00.000+02:00');
  });

  it('keeps the wall-clock time across the spring DST change (29 March 2026)', () => {
    expectInstant(dueAt('2026-03-28T10:00:00+01:00', 'P1D', false), '2026-03-29T10:00:00.000+02:00');
    expectInstant(dueAt('2026-03-25T09:00:00+01:00', 'P8D', false), '2026-04-02T09:00:00.000+02:00');
  });

  it('keeps the wall-clock time across the autumn DST change (25 October 2026)', () => {
    expectInstant(dueAt('2026-10-24T10:00:00+02:00', 'P1D', false), '2026-10-25T10:00:00.000+01:00');
  });

  it('adds hours as elapsed time across a DST change', () => {
    expectInstant(dueAt('2026-03-28T10:00:00+01:00', 'PT24H', false), '2026-03-29T11:00:00.000+02:00');
    expectInstant(dueAt('2026-10-24T10:00:00+02:00', 'PT48H', false), '2026-10-26T09:00:00.000+01:00');
  });

  it('adds seconds', () => {
    expectInstant(dueAt('2026-03-07T10:00:00Z', 'PT30S', false), '2026-03-07T10:00:30.000Z');
  });

  it('accepts months, clamping to the end of a shorter month', () => {
    expectInstant(dueAt('2026-01-31T10:00:00+01:00', 'P1M', false), '2026-02-28T10:00:00.000+01:00');
  });
});

describe('parseDelay', () => {
  it('parses the delays topics use', () => {
    expect(parseDelay('P8D').toObject()).toEqual({ days: 8 });
    expect(parseDelay('P2W').toObject()).toEqual({ weeks: 2 });
    expect(parseDelay('PT48H').toObject()).toEqual({ hours: 48 });
    expect(parseDelay('PT30S').toObject()).toEqual({ seconds: 30 });
  });

  it.each(['', '8 days', 'P8', 'p8d', 'PT'])('refuses %j as not a duration', (delay) => {
    expect(() => parseDelay(delay)).toThrow(InvalidDelayError);
  });

  it.each(['P', 'P0D', 'PT0S'])('refuses the empty delay %j', (delay) => {
    expect(() => parseDelay(delay)).toThrow(/longer than zero/);
  });

  it.each(['P-1D', '-P1D', 'P1DT-25H'])('refuses the negative delay %j', (delay) => {
    expect(() => parseDelay(delay)).toThrow(/negative/);
  });

  it('refuses fractional days', () => {
    expect(() => parseDelay('P1.5D')).toThrow(/fractional days/);
  });

  it('reports an invalid delay from computeDueAt', () => {
    expect(() => dueAt('2026-03-02T10:00:00+01:00', 'eight days')).toThrow(/"eight days"/);
  });
});

describe('receivedAt', () => {
  it('must carry an offset when given as a string', () => {
    expect(() => dueAt('2026-03-02T10:00:00', 'P8D')).toThrow(InvalidInstantError);
  });

  it('must be a valid date', () => {
    expect(() => dueAt(new Date('not a date'), 'P8D')).toThrow(InvalidInstantError);
    expect(() => dueAt('yesterday', 'P8D')).toThrow(/receivedAt/);
  });
});
