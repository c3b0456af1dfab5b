import { SCHOOL_HOLIDAYS } from './runtime/school-holidays';

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function daysFrom(today: Date, days: number): string {
  return isoDate(new Date(today.getTime() + days * 86_400_000));
}

/** Two days inside the next zone C school holidays that start at least 8 days after `today` (the form asks for 7). */
export function nextHolidayStay(today = new Date()): { from: string; to: string } {
  const earliest = daysFrom(today, 8);
  const period = SCHOOL_HOLIDAYS.C.find((p) => p.to >= earliest);
  if (!period) throw new Error('SCHOOL_HOLIDAYS needs a newer school year');
  const from = period.from > earliest ? period.from : earliest;
  const to = daysFrom(new Date(`${from}T12:00:00Z`), 1) <= period.to ? daysFrom(new Date(`${from}T12:00:00Z`), 1) : from;
  return { from, to };
}

/** A valid submission of every shipped form, with dates that stay valid as time passes (for tests and benches). */
export function validSamples(today = new Date()): Record<string, Record<string, unknown>> {
  const stay = nextHolidayStay(today);
  return {
    'acte-naissance': {
      typeActe: 'copie-integrale', qualiteDemandeur: 'titulaire', motif: 'carte-identite-passeport', nom: 'Martin', prenoms: 'Léa, Marie',
      dateNaissance: '1990-04-12', communeNaissance: 'Montreuil', nomParent1: 'Martin', prenomsParent1: 'Paul', nomParent2: 'Durand', prenomsParent2: 'Sophie',
      modeDelivrance: 'courrier', adresse: { ligne1: '12 rue de la République', codePostal: '93100', commune: 'Montreuil' }, courriel: 'lea.martin@exemple.fr',
    },
    'acte-mariage': {
      typeActe: 'extrait-avec-filiation', qualiteDemandeur: 'titulaire', motif: 'regime-matrimonial', dateMariage: '2015-06-20', nomEpoux1: 'Bernard',
      prenomsEpoux1: 'Julie', nomEpoux2: 'Petit', prenomsEpoux2: 'Thomas', parentsEpoux1: 'Michel Bernard et Anne Leroy', parentsEpoux2: 'Alain Petit et Claire Roux',
      modeDelivrance: 'courriel', courriel: 'julie.bernard@exemple.fr',
    },
    'acte-deces': {
      typeActe: 'extrait', qualiteDemandeur: 'notaire', motif: 'succession', nomDefunt: 'Lefèvre', prenomsDefunt: 'Jean-Pierre', dateNaissanceDefunt: '1941-03-02',
      dateDeces: '2026-08-14', modeDelivrance: 'courrier', adresse: { ligne1: '4 cours Mirabeau', codePostal: '13100', commune: 'Aix-en-Provence' },
      courriel: 'etude.roche@notaires.fr', telephone: '04 42 00 00 00',
    },
    'brochure-touristique': {
      brochures: ['guide-touristique', 'randonnees'], langue: 'fr', nom: 'Hoarau', prenom: 'Maëlle', courriel: 'maelle.hoarau@exemple.fr',
      adresse: { ligne1: '8 chemin des Barrières', complement: 'Bois de Nèfles', codePostal: '97411', commune: 'Saint-Paul' },
    },
    'centre-loisirs': {
      nomEnfant: 'Moreau', prenomEnfant: 'Inès', dateNaissanceEnfant: '2018-05-10', dateDebut: stay.from, dateFin: stay.to, formule: 'journee',
      allergies: true, detailAllergies: 'Arachide : éviction stricte.', nomResponsable: 'Moreau', prenomResponsable: 'Karim', lienParente: 'pere',
      telephoneResponsable: '06 12 34 56 78', courrielResponsable: 'karim.moreau@exemple.fr', autorisationPhoto: false, attestation: true,
    },
    'reservation-salle': {
      salle: 'salle-des-fetes', dateReservation: daysFrom(today, 30), creneau: 'soiree', nombrePersonnes: 180, objet: 'fete-familiale',
      organisateur: 'particulier', nom: 'Garcia', prenom: 'Lucie', telephone: '01 23 45 67 89', courriel: 'lucie.garcia@exemple.fr', assurance: true,
    },
    signalement: {
      nature: 'eclairage', description: 'Le lampadaire ne s’allume plus depuis trois soirs, le passage est dans le noir.', danger: true,
      voie: '14 rue Victor-Hugo', repere: 'En face de l’arrêt de bus Mairie', quartier: 'centre-ville', latitude: 48.8566, longitude: 2.3522,
      nom: 'Nguyen', prenom: 'Thi Lan', courriel: 'thilan.nguyen@exemple.fr',
    },
  };
}
