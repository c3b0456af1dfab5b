import { describe, expect, it } from 'vitest';
import {
  formatDateTimeWithSeconds,
  formatFileSize,
  formatFrenchDateTime,
  formatHours,
  formatNumber,
  formatShare,
  formatShortDateTime,
  frenchDate,
  frenchDelay,
  frenchLongDate,
  frenchMonth,
  frenchMonthAt,
  frenchMonths,
  ofFrenchMonth,
} from './french';

// French grouping uses a narrow no-break space (U+202F), as Intl writes it.
const NNBSP = '\u202f';

describe('French dates', () => {
  it('writes a date and time with « à » in the tenant time zone', () => {
    expect(formatFrenchDateTime(new Date('2026-03-24T15:37:00Z'))).toBe('24/03/2026 à 16:37');
    expect(formatFrenchDateTime(new Date('2026-03-24T15:37:00Z'), 'Indian/Reunion')).toBe('24/03/2026 à 19:37');
  });

  it('counts the day in Paris: late on the 31st in UTC is already the 1st there', () => {
    const lateOn31st = new Date('2026-12-31T23:30:05Z');
    expect(formatFrenchDateTime(lateOn31st)).toBe('01/01/2027 à 00:30');
    expect(formatShortDateTime(lateOn31st)).toBe('01/01/2027 00:30');
    expect(formatDateTimeWithSeconds(lateOn31st)).toBe('01/01/2027 00:30:05');
    expect(frenchLongDate(lateOn31st, 'Europe/Paris')).toBe('1er janvier 2027');
    expect(frenchLongDate(lateOn31st, 'UTC')).toBe('31 décembre 2026');
    expect(frenchMonthAt(lateOn31st, 'Europe/Paris')).toBe('janvier 2027');
    expect(frenchMonthAt(lateOn31st, 'UTC')).toBe('décembre 2026');
  });

  it('follows the clock change days', () => {
    // 29 March 2026: 02:00 becomes 03:00 in Paris (UTC+1 → UTC+2).
    expect(formatFrenchDateTime(new Date('2026-03-29T00:59:00Z'))).toBe('29/03/2026 à 01:59');
    expect(formatFrenchDateTime(new Date('2026-03-29T01:00:00Z'))).toBe('29/03/2026 à 03:00');
    // 25 October 2026: 03:00 becomes 02:00 again (UTC+2 → UTC+1); the hour 02:xx is lived twice.
    expect(formatFrenchDateTime(new Date('2026-10-25T00:30:00Z'))).toBe('25/10/2026 à 02:30');
    expect(formatFrenchDateTime(new Date('2026-10-25T01:30:00Z'))).toBe('25/10/2026 à 02:30');
    expect(formatDateTimeWithSeconds(new Date('2026-10-25T22:59:59Z'))).toBe('25/10/2026 23:59:59');
    expect(frenchLongDate(new Date('2026-10-25T23:00:00Z'), 'Europe/Paris')).toBe('26 octobre 2026');
  });

  it('writes long dates with « 1er » for the first of the month only', () => {
    expect(frenchDate('2026-12-05')).toBe('5 décembre 2026');
    expect(frenchDate('2027-05-01')).toBe('1er mai 2027');
    expect(frenchDate('2026-02-11')).toBe('11 février 2026');
    expect(frenchLongDate(new Date('2026-11-28T10:00:00Z'), 'Pacific/Noumea')).toBe('28 novembre 2026');
  });

  it('names months, with the elided « d’ » before a vowel', () => {
    expect(frenchMonth('2026-08')).toBe('août 2026');
    expect(frenchMonth('2026-12')).toBe('décembre 2026');
    expect(ofFrenchMonth('2026-10')).toBe('d’octobre 2026');
    expect(ofFrenchMonth('2026-04')).toBe('d’avril 2026');
    expect(ofFrenchMonth('2026-11')).toBe('de novembre 2026');
  });
});

describe('French numbers and durations', () => {
  it('groups thousands and writes a decimal comma', () => {
    expect(formatNumber(1234)).toBe(`1${NNBSP}234`);
    expect(formatNumber(1234567.25)).toBe(`1${NNBSP}234${NNBSP}567,25`);
    expect(formatNumber(8.333, 1)).toBe('8,3');
    expect(formatNumber(12, 1)).toBe('12');
  });

  it('writes shares as whole percentages', () => {
    expect(formatShare(0.935)).toBe('94 %');
    expect(formatShare(0)).toBe('0 %');
    expect(formatShare(null)).toBe('—');
  });

  it('writes hours below two days and days beyond', () => {
    expect(formatHours(30)).toBe('30 h');
    expect(formatHours(47.96)).toBe('48 h');
    expect(formatHours(48)).toBe('2 j');
    expect(formatHours(200)).toBe('8,3 j');
    expect(formatHours(null)).toBe('—');
  });

  it('writes file sizes in ko and Mo', () => {
    expect(formatFileSize(1_572_864)).toBe('1,5 Mo');
    expect(formatFileSize(2048)).toBe('2 ko');
    expect(formatFileSize(10)).toBe('1 ko');
    expect(formatFileSize(1_000_000)).toBe(`977 ko`);
    expect(formatFileSize(1023 * 1024 + 900)).toBe(`1${NNBSP}024 ko`);
  });

  it('writes topic delays and retention durations', () => {
    expect(frenchDelay('P8D', false)).toBe('8 jours');
    expect(frenchDelay('P1D', true)).toBe('1 jour ouvré');
    expect(frenchDelay('P5D', true)).toBe('5 jours ouvrés');
    expect(frenchDelay('PT1H', false)).toBe('1 heure');
    expect(frenchDelay('PT48H', false)).toBe('48 heures');
    expect(frenchDelay('P1M', false)).toBe('P1M');
    expect([frenchMonths(1), frenchMonths(12), frenchMonths(30), frenchMonths(60)]).toEqual(['1 mois', '1 an', '30 mois', '5 ans']);
  });
});
