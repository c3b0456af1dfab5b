import { describe, expect, it } from 'vitest';
import { InputError } from '@/domain/validation';
import { lastClosedMonth, monthRange, parseReportMonth } from './monthly';
import { frenchMonth, ofFrenchMonth } from '@/domain/format/french';
import { isReportMonth, monthAt, previousMonth } from './report-month';

describe('report months', () => {
  it('bounds a month at local midnight, daylight saving time included', () => {
    expect(monthRange('2026-03', 'Europe/Paris')).toEqual({ from: new Date('2026-02-28T23:00:00Z'), to: new Date('2026-03-31T22:00:00Z') });
    expect(monthRange('2026-08', 'America/Martinique')).toEqual({ from: new Date('2026-08-01T04:00:00Z'), to: new Date('2026-09-01T04:00:00Z') });
    expect(monthRange('2026-12', 'Pacific/Noumea')).toEqual({ from: new Date('2026-11-30T13:00:00Z'), to: new Date('2026-12-31T13:00:00Z') });
  });

  it('names the month of an instant in the tenant’s time zone, the month before it, and its French name', () => {
    // 06:00 on 1 December in Nouméa is still 30 November in UTC.
    expect(monthAt(new Date('2026-11-30T19:00:00Z'), 'Pacific/Noumea')).toBe('2026-12');
    expect(monthAt(new Date('2026-11-30T19:00:00Z'), 'Europe/Paris')).toBe('2026-11');
    expect(previousMonth('2027-01')).toBe('2026-12');
    expect(previousMonth('2026-10')).toBe('2026-09');
    expect(frenchMonth('2026-10')).toBe('octobre 2026');
    expect(frenchMonth('2026-08')).toBe('août 2026');
    expect([ofFrenchMonth('2026-08'), ofFrenchMonth('2026-04'), ofFrenchMonth('2026-10'), ofFrenchMonth('2026-11')]).toEqual(['d’août 2026', 'd’avril 2026', 'd’octobre 2026', 'de novembre 2026']);
    expect(['2026-1', '2026-00', '2026-13', '26-10', 'octobre', 202610, null].some(isReportMonth)).toBe(false);
  });

  it('accepts only a month that has ended in the tenant’s time zone, with French field errors', () => {
    const now = new Date('2026-11-30T20:00:00Z');
    expect(lastClosedMonth('Europe/Paris', now)).toBe('2026-10');
    expect(lastClosedMonth('Pacific/Noumea', now)).toBe('2026-11');
    expect(parseReportMonth('2026-10', 'Europe/Paris', now)).toBe('2026-10');
    expect(parseReportMonth('2026-11', 'Pacific/Noumea', now)).toBe('2026-11');
    const errorOf = (value: unknown) => {
      try {
        parseReportMonth(value, 'Europe/Paris', now);
      } catch (error) {
        return (error as InputError).errors;
      }
      throw new Error(`accepted ${String(value)}`);
    };
    expect(errorOf('2026-13')).toEqual([{ path: '/month', message: 'Indiquez un mois au format AAAA-MM, par exemple 2026-10.' }]);
    expect(errorOf(undefined)).toEqual([{ path: '/month', message: 'Indiquez un mois au format AAAA-MM, par exemple 2026-10.' }]);
    expect(errorOf('2026-11')).toEqual([{ path: '/month', message: 'Choisissez un mois terminé : octobre 2026 au plus tard.' }]);
    expect(errorOf('2031-01')).toEqual([{ path: '/month', message: 'Choisissez un mois terminé : octobre 2026 au plus tard.' }]);
    expect(errorOf('1999-12')[0].message).toBe('Choisissez un mois à partir de janvier 2000.');
  });
});
