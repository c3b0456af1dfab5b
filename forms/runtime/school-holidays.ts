/** School-holiday zone of metropolitan France. */
export type SchoolZone = 'A' | 'B' | 'C';

/** A holiday period: first and last day without school, both inclusive (ISO dates). */
export interface HolidayPeriod {
  name: string;
  from: string;
  to: string;
}

const common = (name: string, from: string, to: string): Record<SchoolZone, HolidayPeriod> => ({
  A: { name, from, to },
  B: { name, from, to },
  C: { name, from, to },
});

const shared = [
  common("Vacances d'été 2026", '2026-07-04', '2026-08-31'),
  common('Vacances de la Toussaint', '2026-10-17', '2026-11-01'),
  common('Vacances de Noël', '2026-12-19', '2027-01-03'),
  common("Pont de l'Ascension", '2027-05-06', '2027-05-09'),
  common("Vacances d'été 2027", '2027-07-03', '2027-08-31'),
];

/**
 * School holidays from the summer of 2026 to the summer of 2027, zones A / B / C.
 * Source: calendrier scolaire officiel (arrêté of the ministère de l'Éducation nationale, published on
 * education.gouv.fr/calendrier-scolaire). The official calendar gives "fin des cours" (Saturday) and
 * "reprise des cours" (Monday); periods here run from the first to the last day without school.
 * The end of summer 2027 depends on the 2027-2028 calendar and is taken as 31 August.
 * Re-check these dates against the published arrêté when the list is extended.
 */
export const SCHOOL_HOLIDAYS: Record<SchoolZone, readonly HolidayPeriod[]> = {
  A: [
    ...shared.map((p) => p.A),
    { name: "Vacances d'hiver", from: '2027-02-13', to: '2027-02-28' },
    { name: 'Vacances de printemps', from: '2027-04-10', to: '2027-04-25' },
  ].sort((a, b) => a.from.localeCompare(b.from)),
  B: [
    ...shared.map((p) => p.B),
    { name: "Vacances d'hiver", from: '2027-02-20', to: '2027-03-07' },
    { name: 'Vacances de printemps', from: '2027-04-17', to: '2027-05-02' },
  ].sort((a, b) => a.from.localeCompare(b.from)),
  C: [
    ...shared.map((p) => p.C),
    { name: "Vacances d'hiver", from: '2027-02-06', to: '2027-02-21' },
    { name: 'Vacances de printemps', from: '2027-04-03', to: '2027-04-18' },
  ].sort((a, b) => a.from.localeCompare(b.from)),
};

/** The holiday period of a zone containing the date, if any. */
export function holidayPeriodOn(zone: SchoolZone, isoDate: string): HolidayPeriod | undefined {
  return SCHOOL_HOLIDAYS[zone].find((p) => p.from <= isoDate && isoDate <= p.to);
}
