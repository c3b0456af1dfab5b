import Holidays from 'date-holidays';
import { describe, expect, it, vi } from 'vitest';
import { InvalidCalendarError, WorkingCalendar, createWorkingCalendar } from './calendar';

describe('WorkingCalendar', () => {
  const paris = createWorkingCalendar({ closureDays: ['2026-05-15'] });

  it('defaults to Europe/Paris', () => {
    expect(paris.timeZone).toBe('Europe/Paris');
  });

  it.each([
    ['2026-01-01', 'New Year'],
    ['2026-04-06', 'Easter Monday'],
    ['2026-05-01', 'Labour Day'],
    ['2026-05-08', 'Victory in Europe Day'],
    ['2026-05-14', 'Ascension'],
    ['2026-05-25', 'Whit Monday'],
    ['2026-07-14', 'Bastille Day'],
    ['2026-11-11', 'Armistice'],
    ['2026-12-25', 'Christmas'],
  ])('treats %s (%s) as a public holiday, not a business day', (day) => {
    expect(paris.isPublicHoliday(day)).toBe(true);
    expect(paris.isBusinessDay(day)).toBe(false);
  });

  it.each(['2026-04-03', '2026-05-13', '2026-07-13', '2026-12-24', '2026-12-28'])('treats weekday %s as a business day', (day) => {
    expect(paris.isBusinessDay(day)).toBe(true);
  });

  it('skips weekends', () => {
    expect(paris.isBusinessDay('2026-03-07')).toBe(false);
    expect(paris.isBusinessDay('2026-03-08')).toBe(false);
  });

  it('does not count observances (Pentecost Sunday, Mothers Day) as public holidays', () => {
    expect(paris.isPublicHoliday('2026-05-24')).toBe(false);
    expect(paris.isPublicHoliday('2026-05-31')).toBe(false);
  });

  it("skips the tenant's closure days", () => {
    expect(paris.isClosureDay('2026-05-15')).toBe(true);
    expect(paris.isBusinessDay('2026-05-15')).toBe(false);
    expect(createWorkingCalendar().isBusinessDay('2026-05-15')).toBe(true);
  });

  it('adds Good Friday and 26 December in Alsace-Moselle', () => {
    for (const region of ['57', '67', '68']) {
      const alsace = createWorkingCalendar({ region });
      expect(alsace.isBusinessDay('2026-04-03')).toBe(false);
      expect(alsace.isBusinessDay('2025-12-26')).toBe(false);
    }
    expect(paris.isBusinessDay('2025-12-26')).toBe(true);
  });

  it('finds the next business day across a long weekend and a year end', () => {
    expect(paris.nextBusinessDay('2026-05-13')).toBe('2026-05-18');
    expect(paris.nextBusinessDay('2026-12-31')).toBe('2027-01-04');
  });

  it('computes the holidays of a year once', () => {
    const getHolidays = vi.spyOn(Holidays.prototype, 'getHolidays');
    try {
      const first = new WorkingCalendar();
      const second = new WorkingCalendar({ closureDays: ['2031-06-02'] });
      for (const day of ['2031-01-02', '2031-03-04', '2031-07-14', '2031-12-25']) {
        first.isBusinessDay(day);
        second.isBusinessDay(day);
      }
      expect(getHolidays.mock.calls.filter(([year]) => year === 2031)).toHaveLength(1);
    } finally {
      getHolidays.mockRestore();
    }
  });

  it('refuses malformed dates', () => {
    expect(() => paris.isBusinessDay('2026-5-1')).toThrow(InvalidCalendarError);
    expect(() => paris.isBusinessDay('2026-02-30')).toThrow(/YYYY-MM-DD/);
  });

  it('refuses a bad configuration at construction', () => {
    expect(() => createWorkingCalendar({ closureDays: ['15/05/2026'] })).toThrow(/15\/05\/2026/);
    expect(() => createWorkingCalendar({ timeZone: 'Europe/Lutece' })).toThrow(/Europe\/Lutece/);
    expect(() => createWorkingCalendar({ region: '75' })).toThrow(/"75"/);
  });
});
