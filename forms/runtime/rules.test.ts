import { describe, expect, it } from 'vitest';
import { compileForm } from './compile';
import { SCHOOL_HOLIDAYS, holidayPeriodOn } from './school-holidays';
import { ageAt } from './dates';
import { fixedNow, miniDefinition } from '@/forms/test-support';

const date = { type: 'string', format: 'date' };

describe('dateBefore', () => {
  const form = compileForm(
    miniDefinition({ debut: date, fin: date }, { rules: [{ rule: 'dateBefore', first: '/debut', second: '/fin' }] }),
  );
  it('passes when the first date is earlier', () => expect(form.validate({ debut: '2026-05-01', fin: '2026-05-02' }).valid).toBe(true));
  it('reports on the second date with the labels', () =>
    expect(form.validate({ debut: '2026-05-02', fin: '2026-05-02' }).errors).toEqual([
      { path: '/fin', message: '« fin » doit être postérieure à « debut ».' },
    ]));
  it('skips when a date is missing or malformed (the schema reports it)', () => {
    expect(form.validate({ debut: '2026-05-02' }).valid).toBe(true);
    expect(form.validate({ debut: '2026-05-02', fin: '02/05/2026' }).errors).toEqual([
      { path: '/fin', message: 'Date invalide (format attendu : AAAA-MM-JJ).' },
    ]);
  });
  it('accepts equal dates with orEqual', () => {
    const inclusive = compileForm(
      miniDefinition({ debut: date, fin: date }, { rules: [{ rule: 'dateBefore', first: '/debut', second: '/fin', orEqual: true }] }),
    );
    expect(inclusive.validate({ debut: '2026-05-02', fin: '2026-05-02' }).valid).toBe(true);
  });
});

describe('dateInFuture and dateInPast', () => {
  const now = fixedNow('2026-06-10');
  const form = compileForm(
    miniDefinition(
      { rdv: date, naissance: date },
      {
        rules: [
          { rule: 'dateInFuture', field: '/rdv', minDays: 15, maxDays: 365 },
          { rule: 'dateInPast', field: '/naissance' },
        ],
      },
    ),
    { now },
  );
  it('accepts dates inside the window', () => expect(form.validate({ rdv: '2026-06-25', naissance: '2026-06-10' }).valid).toBe(true));
  it('rejects a date too soon', () =>
    expect(form.validate({ rdv: '2026-06-24' }).errors).toEqual([{ path: '/rdv', message: 'La date doit être au plus tôt le 25/06/2026.' }]));
  it('rejects a date too far', () =>
    expect(form.validate({ rdv: '2027-06-11' }).errors).toEqual([{ path: '/rdv', message: 'La date doit être au plus tard le 10/06/2027.' }]));
  it('rejects a birth date in the future', () =>
    expect(form.validate({ naissance: '2026-06-11' }).errors).toEqual([
      { path: '/naissance', message: 'La date ne peut pas être postérieure à aujourd’hui.' },
    ]));
  it('uses the Paris date, not UTC', () => {
    const lateEvening = compileForm(miniDefinition({ rdv: date }, { rules: [{ rule: 'dateInFuture', field: '/rdv' }] }), {
      now: () => new Date('2026-06-10T22:30:00Z'),
    });
    expect(lateEvening.validate({ rdv: '2026-06-11' }).valid).toBe(false);
    expect(lateEvening.validate({ rdv: '2026-06-12' }).valid).toBe(true);
  });
});

describe('ageBetween', () => {
  const rule = { rule: 'ageBetween', field: '/naissance', min: 3, max: 12, at: '/debut' } as const;
  const form = compileForm(miniDefinition({ naissance: date, debut: date }, { rules: [rule] }));
  it('counts completed years on the reference date', () => {
    expect(ageAt('2020-10-20', '2023-10-19')).toBe(2);
    expect(ageAt('2020-10-20', '2023-10-20')).toBe(3);
    expect(ageAt('2016-02-29', '2027-02-28')).toBe(10);
  });
  it('accepts the bounds', () => {
    expect(form.validate({ naissance: '2023-10-19', debut: '2026-10-19' }).valid).toBe(true);
    expect(form.validate({ naissance: '2013-10-20', debut: '2026-10-19' }).valid).toBe(true);
  });
  it('rejects too young and too old with the computed age', () => {
    expect(form.validate({ naissance: '2023-10-20', debut: '2026-10-19' }).errors).toEqual([
      { path: '/naissance', message: 'L’âge doit être compris entre 3 et 12 ans au 19/10/2026 (âge calculé : 2 ans).' },
    ]);
    expect(form.validate({ naissance: '2013-10-19', debut: '2026-10-19' }).errors[0].message).toContain('âge calculé : 13 ans');
  });
  it('accepts a literal date or "today" as reference', () => {
    const literal = compileForm(miniDefinition({ naissance: date }, { rules: [{ ...rule, at: '2026-09-01' }] }));
    expect(literal.validate({ naissance: '2020-01-01' }).valid).toBe(true);
    const today = compileForm(miniDefinition({ naissance: date }, { rules: [{ ...rule, at: 'today' }] }), { now: fixedNow('2026-09-01') });
    expect(today.validate({ naissance: '2025-01-01' }).valid).toBe(false);
  });
});

describe('requiredIf', () => {
  const form = compileForm(
    miniDefinition(
      { motif: { enum: ['a', 'autre'] }, precision: { type: 'string' } },
      { rules: [{ rule: 'requiredIf', field: '/precision', when: { field: '/motif', equals: 'autre' }, message: 'Précisez.' }] },
    ),
  );
  it('requires the field only when the condition holds', () => {
    expect(form.validate({ motif: 'a' }).valid).toBe(true);
    expect(form.validate({ motif: 'autre' }).errors).toEqual([{ path: '/precision', message: 'Précisez.' }]);
    expect(form.validate({ motif: 'autre', precision: '   ' }).errors).toEqual([{ path: '/precision', message: 'Précisez.' }]);
    expect(form.validate({ motif: 'autre', precision: 'voilà' }).valid).toBe(true);
  });
});

describe('dateWithinPeriods', () => {
  it('has school holidays for the three zones, in order and well formed', () => {
    for (const zone of ['A', 'B', 'C'] as const) {
      const periods = SCHOOL_HOLIDAYS[zone];
      expect(periods.length).toBeGreaterThanOrEqual(7);
      for (const p of periods) expect(p.from <= p.to).toBe(true);
      for (let i = 1; i < periods.length; i++) expect(periods[i - 1].to < periods[i].from).toBe(true);
    }
    expect(holidayPeriodOn('C', '2027-02-08')?.name).toBe("Vacances d'hiver");
    expect(holidayPeriodOn('A', '2027-02-08')).toBeUndefined();
  });

  const schoolForm = compileForm(
    miniDefinition(
      { debut: date, fin: date },
      { rules: [{ rule: 'dateWithinPeriods', field: '/debut', endField: '/fin', periods: 'schoolHolidays', zone: 'C' }] },
    ),
  );
  it('accepts a stay inside one holiday period', () =>
    expect(schoolForm.validate({ debut: '2026-10-19', fin: '2026-10-30' }).valid).toBe(true));
  it('rejects a start outside holidays', () =>
    expect(schoolForm.validate({ debut: '2026-10-05', fin: '2026-10-20' }).errors).toEqual([
      { path: '/debut', message: 'La date doit être comprise dans une période de vacances scolaires (zone C).' },
    ]));
  it('rejects an end beyond the period', () =>
    expect(schoolForm.validate({ debut: '2026-10-26', fin: '2026-11-03' }).errors).toEqual([
      { path: '/fin', message: 'La date de fin doit rester dans la même période (Vacances de la Toussaint, jusqu’au 01/11/2026).' },
    ]));

  it('accepts explicit periods', () => {
    const form = compileForm(
      miniDefinition({ jour: date }, { rules: [{ rule: 'dateWithinPeriods', field: '/jour', periods: [['2026-07-06', '2026-07-31']] }] }),
    );
    expect(form.validate({ jour: '2026-07-06' }).valid).toBe(true);
    expect(form.validate({ jour: '2026-08-01' }).errors).toEqual([
      { path: '/jour', message: 'La date doit être comprise dans l’une des périodes proposées.' },
    ]);
  });
});

describe('maxByOption', () => {
  const form = compileForm(
    miniDefinition(
      { salle: { enum: ['petite', 'grande'] }, personnes: { type: 'integer' } },
      {
        fields: [
          { name: '/salle', label: 'Salle', widget: 'select', options: [{ value: 'petite', label: 'Petite salle' }, { value: 'grande', label: 'Grande salle' }] },
          { name: '/personnes', label: 'Personnes', widget: 'number' },
        ],
        rules: [{ rule: 'maxByOption', field: '/personnes', option: '/salle', limits: { petite: 30, grande: 200 } }],
      },
    ),
  );
  it('checks the limit of the chosen option', () => {
    expect(form.validate({ salle: 'petite', personnes: 30 }).valid).toBe(true);
    expect(form.validate({ salle: 'grande', personnes: 31 }).valid).toBe(true);
    expect(form.validate({ salle: 'petite', personnes: 31 }).errors).toEqual([{ path: '/personnes', message: 'Au plus 30 pour « Petite salle ».' }]);
  });
  it('ignores inherited keys of the limits table', () =>
    expect(form.validate({ salle: 'constructor', personnes: 31 }).errors).toEqual([
      { path: '/salle', message: 'Choisissez l’une des valeurs proposées.' },
    ]));
});
