import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadShippedForms } from '@/forms/load';
import { compileForm, type CompiledForm } from '@/forms/runtime/compile';
import { validateDefinition } from '@/forms/runtime/definition';
import type { FormDefinition } from '@/forms/runtime/types';
import { fixedNow } from '@/forms/test-support';

const DEPARTMENTS = ['accueil', 'etat-civil', 'urbanisme', 'parcs-jardins', 'affaires-scolaires'];
const shipped = loadShippedForms();
const bySlug = new Map(shipped.map((d) => [d.slug, d]));
const now = fixedNow('2026-09-01');

function form(slug: string, at = now): CompiledForm {
  return compileForm(bySlug.get(slug) as FormDefinition, { now: at });
}

describe('shipped definitions', () => {
  it('ships the expected forms', () => {
    expect(shipped.map((d) => d.slug)).toEqual([
      'acte-deces',
      'acte-mariage',
      'acte-naissance',
      'brochure-touristique',
      'centre-loisirs',
      'reservation-salle',
      'signalement',
    ]);
  });

  it.each(shipped.map((d) => [d.slug, d] as const))('%s is valid, with workflow options', (_slug, definition) => {
    expect(validateDefinition(definition)).toEqual({ valid: true, errors: [] });
    expect(DEPARTMENTS).toContain(definition.workflow.department);
    expect(definition.workflow.topic).toMatch(/^[a-z0-9-]+$/);
    expect(definition.workflow.delay).toMatch(/^P\d+D$/);
    expect(typeof definition.workflow.businessDays).toBe('boolean');
    expect(typeof definition.workflow.validation).toBe('boolean');
  });
});

describe('acte-naissance', () => {
  const valid = {
    typeActe: 'copie-integrale',
    qualiteDemandeur: 'titulaire',
    nom: 'Martin',
    prenoms: 'Léa, Marie',
    dateNaissance: '1990-04-12',
    communeNaissance: 'Montreuil',
    nomParent1: 'Martin',
    prenomsParent1: 'Paul',
    nomParent2: 'Durand',
    prenomsParent2: 'Sophie',
    motif: 'carte-identite-passeport',
    modeDelivrance: 'courrier',
    adresse: { ligne1: '12 rue de la République', codePostal: '93100', commune: 'Montreuil' },
    courriel: 'lea.martin@exemple.fr',
  };
  const f = form('acte-naissance');

  it('accepts a complete request', () => expect(f.validate(valid)).toEqual({ valid: true, errors: [], data: valid }));

  it('accepts an extract without parentage from anyone, and drops the parents', () => {
    const result = f.validate({ ...valid, typeActe: 'extrait-sans-filiation', qualiteDemandeur: 'autre' });
    expect(result.valid).toBe(true);
    expect(result.data).not.toHaveProperty('nomParent1');
    expect(result.data).not.toHaveProperty('nomParent2');
  });

  it('accepts an e-mail delivery and drops the postal address', () => {
    const result = f.validate({ ...valid, modeDelivrance: 'courriel' });
    expect(result.valid).toBe(true);
    expect(result.data).not.toHaveProperty('adresse');
  });

  it('does not require the second parent when the box is ticked', () => {
    const { nomParent2: _n, prenomsParent2: _p, ...rest } = valid;
    expect(f.validate({ ...rest, parent2Inconnu: true }).valid).toBe(true);
  });

  it.each([
    ['parent 1 missing (if/then)', { nomParent1: undefined }, '/nomParent1', 'Le nom du parent 1 est obligatoire pour une copie intégrale ou un extrait avec filiation.'],
    ['parent 2 missing (requiredIf)', { nomParent2: '' }, '/nomParent2', 'Indiquez le nom du parent 2, ou cochez la case si le second parent n\'est pas mentionné sur l\'acte.'],
    ['third party asking for a full copy', { qualiteDemandeur: 'autre' }, '/qualiteDemandeur', 'La copie intégrale et l\'extrait avec filiation ne peuvent être délivrés qu\'à la personne concernée, à ses proches (ascendants, descendants, conjoint), à son représentant légal ou à un héritier.'],
    ['postal delivery without address', { adresse: undefined }, '/adresse', 'Indiquez l\'adresse postale à laquelle l\'acte doit être envoyé.'],
    ['Corsican INSEE code instead of a postcode', { adresse: { ...valid.adresse, codePostal: '2A004' } }, '/adresse/codePostal', 'Code postal invalide (5 chiffres, exemple : 75001).'],
    ['incomplete address', { adresse: { ligne1: '1 place de la Mairie', codePostal: '20000' } }, '/adresse/commune', 'Ce champ est obligatoire.'],
    ['birth date in the future', { dateNaissance: '2026-09-02' }, '/dateNaissance', 'La date de naissance ne peut pas être postérieure à aujourd\'hui.'],
    ['other reason without details', { motif: 'autre' }, '/motifPrecision', 'Précisez le motif de votre demande.'],
    ['digits in the name', { nom: 'Martin2' }, '/nom', 'Le nom ne peut contenir que des lettres, des espaces, des apostrophes et des tirets.'],
    ['bad e-mail', { courriel: 'lea.martin@' }, '/courriel', 'Adresse électronique invalide (exemple : prenom.nom@exemple.fr).'],
    ['missing act type', { typeActe: undefined }, '/typeActe', 'Ce champ est obligatoire.'],
    ['unknown act type', { typeActe: 'copie-certifiee' }, '/typeActe', 'Choisissez l’une des valeurs proposées.'],
  ])('%s', (_name, change, path, message) => {
    const result = f.validate({ ...valid, ...change });
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({ path, message });
  });
});

describe('acte-mariage', () => {
  const valid = {
    typeActe: 'extrait-avec-filiation',
    qualiteDemandeur: 'titulaire',
    nomEpoux1: 'Bernard',
    prenomsEpoux1: 'Julie',
    nomEpoux2: 'Petit',
    prenomsEpoux2: 'Thomas',
    dateMariage: '2015-06-20',
    parentsEpoux1: 'Michel Bernard et Anne Leroy',
    parentsEpoux2: 'Alain Petit et Claire Roux',
    motif: 'regime-matrimonial',
    modeDelivrance: 'courriel',
    courriel: 'julie.bernard@exemple.fr',
  };
  const f = form('acte-mariage');

  it('accepts a complete request', () => expect(f.validate(valid).valid).toBe(true));
  it('does not ask for parents on an extract without parentage', () =>
    expect(f.validate({ ...valid, typeActe: 'extrait-sans-filiation', parentsEpoux1: undefined, parentsEpoux2: undefined }).valid).toBe(true));
  it.each([
    ['parents missing', { parentsEpoux2: undefined }, '/parentsEpoux2', 'Indiquez les noms et prénoms des parents du second époux.'],
    ['marriage in the future', { dateMariage: '2027-01-01' }, '/dateMariage', 'La date du mariage ne peut pas être postérieure à aujourd\'hui.'],
    ['spouse missing', { nomEpoux2: undefined }, '/nomEpoux2', 'Ce champ est obligatoire.'],
    ['post without address', { modeDelivrance: 'courrier' }, '/adresse', 'Indiquez l\'adresse postale à laquelle l\'acte doit être envoyé.'],
  ])('%s', (_name, change, path, message) => expect(f.validate({ ...valid, ...change }).errors).toContainEqual({ path, message }));
});

describe('acte-deces', () => {
  const valid = {
    typeActe: 'extrait',
    nomDefunt: 'Lefèvre',
    prenomsDefunt: 'Jean-Pierre',
    dateNaissanceDefunt: '1941-03-02',
    dateDeces: '2026-08-14',
    qualiteDemandeur: 'notaire',
    motif: 'succession',
    modeDelivrance: 'courrier',
    adresse: { ligne1: 'Étude de Maître Roche, 4 cours Mirabeau', codePostal: '13100', commune: 'Aix-en-Provence' },
    courriel: 'etude.roche@notaires.fr',
    telephone: '04 42 00 00 00',
  };
  const f = form('acte-deces');

  it('accepts a complete request', () => expect(f.validate(valid).valid).toBe(true));
  it.each([
    ['death before birth', { dateDeces: '1940-01-01' }, '/dateDeces', 'La date du décès ne peut pas précéder la date de naissance.'],
    ['death in the future', { dateDeces: '2026-09-30' }, '/dateDeces', 'La date du décès ne peut pas être postérieure à aujourd\'hui.'],
    ['bad phone', { telephone: '04 42' }, '/telephone', 'Numéro de téléphone invalide (exemple : 01 23 45 67 89).'],
    ['overseas postcode that does not exist', { adresse: { ...valid.adresse, codePostal: '97900' } }, '/adresse/codePostal', 'Code postal invalide (5 chiffres, exemple : 75001).'],
  ])('%s', (_name, change, path, message) => expect(f.validate({ ...valid, ...change }).errors).toContainEqual({ path, message }));
});

describe('centre-loisirs', () => {
  const valid = {
    nomEnfant: 'Moreau',
    prenomEnfant: 'Inès',
    dateNaissanceEnfant: '2018-05-10',
    dateDebut: '2026-10-19',
    dateFin: '2026-10-23',
    formule: 'journee',
    nomResponsable: 'Moreau',
    prenomResponsable: 'Karim',
    lienParente: 'pere',
    telephoneResponsable: '06 12 34 56 78',
    courrielResponsable: 'karim.moreau@exemple.fr',
    allergies: true,
    detailAllergies: 'Arachide : éviction stricte, trousse d’urgence dans le sac.',
    autorisationPhoto: false,
    attestation: true,
  };
  const f = form('centre-loisirs');

  it('accepts a stay during the Toussaint holidays', () => expect(f.validate(valid)).toEqual({ valid: true, errors: [], data: valid }));
  it('accepts the zone C winter holidays', () => expect(f.validate({ ...valid, dateDebut: '2027-02-08', dateFin: '2027-02-12' }).valid).toBe(true));
  it('drops allergy details when there is no allergy', () => {
    const result = f.validate({ ...valid, allergies: false });
    expect(result.valid).toBe(true);
    expect(result.data).not.toHaveProperty('detailAllergies');
  });

  it.each([
    ['child too young', { dateNaissanceEnfant: '2024-01-15' }, '/dateNaissanceEnfant', 'L\'enfant doit avoir entre 3 et 12 ans au premier jour d\'accueil (19/10/2026) ; il aura 2 ans.'],
    ['child too old', { dateNaissanceEnfant: '2013-10-18' }, '/dateNaissanceEnfant', 'L\'enfant doit avoir entre 3 et 12 ans au premier jour d\'accueil (19/10/2026) ; il aura 13 ans.'],
    ['start outside school holidays', { dateDebut: '2026-11-09', dateFin: '2026-11-10' }, '/dateDebut', 'La date doit être comprise dans une période de vacances scolaires (zone C).'],
    ['zone A winter holidays only', { dateDebut: '2027-02-22', dateFin: '2027-02-26' }, '/dateDebut', 'La date doit être comprise dans une période de vacances scolaires (zone C).'],
    ['stay across the end of the holidays', { dateFin: '2026-11-03' }, '/dateFin', 'La date de fin doit rester dans la même période (Vacances de la Toussaint, jusqu’au 01/11/2026).'],
    ['end before start', { dateFin: '2026-10-18' }, '/dateFin', 'Le dernier jour d\'accueil ne peut pas précéder le premier.'],
    ['allergy without details', { detailAllergies: undefined }, '/detailAllergies', 'Précisez les allergies de l\'enfant et la conduite à tenir.'],
    ['landline instead of mobile', { telephoneResponsable: '01 23 45 67 89' }, '/telephoneResponsable', 'Numéro de téléphone mobile invalide (exemple : 06 12 34 56 78).'],
    ['no certification', { attestation: false }, '/attestation', 'Vous devez certifier l\'exactitude des renseignements fournis.'],
    ['missing parent e-mail', { courrielResponsable: '' }, '/courrielResponsable', 'Ce champ est obligatoire.'],
  ])('%s', (_name, change, path, message) => {
    const result = f.validate({ ...valid, ...change });
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({ path, message });
  });

  it('requires registration at least 7 days ahead', () => {
    expect(form('centre-loisirs', fixedNow('2026-10-15')).validate(valid).errors).toEqual([
      {
        path: '/dateDebut',
        message: "L'inscription doit être faite au moins 7 jours avant le premier jour d'accueil, et au plus un an à l'avance.",
      },
    ]);
  });
});

describe('reservation-salle', () => {
  const valid = {
    salle: 'salle-des-fetes',
    dateReservation: '2026-10-10',
    creneau: 'soiree',
    nombrePersonnes: 180,
    objet: 'fete-familiale',
    organisateur: 'particulier',
    nom: 'Garcia',
    prenom: 'Lucie',
    telephone: '01 23 45 67 89',
    courriel: 'lucie.garcia@exemple.fr',
    assurance: true,
  };
  const f = form('reservation-salle');

  it('accepts a booking within capacity', () => expect(f.validate(valid).valid).toBe(true));
  it('drops the organisation name of a private person', () =>
    expect(f.validate({ ...valid, raisonSociale: 'SARL Fête' }).data).not.toHaveProperty('raisonSociale'));
  it('prices by room', () => expect(bySlug.get('reservation-salle')?.workflow.price?.table?.['salle-des-fetes']).toBe(35000));

  it.each([
    ['over the room capacity', { salle: 'maison-des-associations', creneau: 'journee', nombrePersonnes: 51 }, '/nombrePersonnes', 'La capacité de cette salle est de 50 personnes au maximum.'],
    ['too soon', { dateReservation: '2026-09-10' }, '/dateReservation', 'La réservation doit être demandée au moins 15 jours et au plus un an avant la date de la manifestation.'],
    ['in the past', { dateReservation: '2026-08-01' }, '/dateReservation', 'La réservation doit être demandée au moins 15 jours et au plus un an avant la date de la manifestation.'],
    ['council room in the evening', { salle: 'salle-du-conseil', nombrePersonnes: 20 }, '/salle', 'La salle de réunion de la mairie n\'est pas disponible en soirée.'],
    ['association without its name', { organisateur: 'association' }, '/raisonSociale', 'Indiquez le nom de l\'association ou de l\'entreprise.'],
    ['number of people as text', { nombrePersonnes: 'beaucoup' }, '/nombrePersonnes', 'Indiquez un nombre entier de personnes.'],
    ['zero people', { nombrePersonnes: 0 }, '/nombrePersonnes', 'Le nombre de personnes doit être au moins 1.'],
    ['no insurance', { assurance: false }, '/assurance', 'Une attestation d\'assurance responsabilité civile est obligatoire pour réserver une salle.'],
    ['unknown room', { salle: 'gymnase' }, '/salle', 'Choisissez l’une des valeurs proposées.'],
  ])('%s', (_name, change, path, message) => {
    const result = f.validate({ ...valid, ...change });
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({ path, message });
  });
});

describe('brochure-touristique', () => {
  const valid = {
    brochures: ['guide-touristique', 'randonnees'],
    langue: 'fr',
    nom: 'Hoarau',
    prenom: 'Maëlle',
    adresse: { ligne1: '8 chemin des Barrières', complement: 'Bois de Nèfles', codePostal: '97411', commune: 'Saint-Paul' },
  };
  const f = form('brochure-touristique');

  it('accepts a request to La Réunion (97411)', () => expect(f.validate(valid).valid).toBe(true));
  it('accepts Ajaccio (20000)', () => expect(f.validate({ ...valid, adresse: { ...valid.adresse, codePostal: '20000' } }).valid).toBe(true));
  it('drops the newsletter choice when no e-mail is given', () =>
    expect(f.validate({ ...valid, abonnementActualites: true }).data).not.toHaveProperty('abonnementActualites'));

  it.each([
    ['no brochure', { brochures: [] }, '/brochures', 'Choisissez au moins une brochure.'],
    ['unknown brochure', { brochures: ['carte-postale'] }, '/brochures/0', 'Choisissez l’une des valeurs proposées.'],
    ['twice the same brochure', { brochures: ['plan-ville', 'plan-ville'] }, '/brochures', 'Chaque valeur ne doit figurer qu’une seule fois.'],
    ['INSEE code instead of postcode', { adresse: { ...valid.adresse, codePostal: '2A004' } }, '/adresse/codePostal', 'Code postal invalide (5 chiffres, exemple : 75001).'],
    ['no address', { adresse: undefined }, '/adresse', 'Ce champ est obligatoire.'],
    ['too many copies', { nombreExemplaires: 6 }, '/nombreExemplaires', 'Doit être <= 5.'],
  ])('%s', (_name, change, path, message) => {
    const result = f.validate({ ...valid, ...change });
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({ path, message });
  });
});

describe('signalement', () => {
  const valid = {
    nature: 'voirie',
    description: 'Nid-de-poule profond sur la chaussée, côté pair, deux roues en danger.',
    danger: true,
    dateConstat: '2026-08-30',
    voie: '14 rue Victor-Hugo',
    repere: 'En face de la boulangerie',
    quartier: 'centre-ville',
    latitude: 48.8566,
    longitude: 2.3522,
    nom: 'Nguyen',
    prenom: 'Thi Lan',
    courriel: 'thilan.nguyen@exemple.fr',
  };
  const f = form('signalement');
  const definition = bySlug.get('signalement')!;

  it('names the signalement process, without validation, within 15 calendar days', () => {
    expect(definition.process).toBe('signalement');
    expect(definition.kind).toBe('question');
    expect(definition.workflow).toEqual({ topic: 'signalement', department: 'urbanisme', delay: 'P15D', businessDays: false, validation: false });
  });

  it('offers exactly the natures the process routes on', () => {
    const field = definition.ui.pages.flatMap((p) => p.fields).find((x) => x.name === '/nature')!;
    expect(field.options!.map((o) => o.value)).toEqual(['voirie', 'eclairage', 'proprete', 'espaces-verts', 'arbre', 'abords-ecole', 'autre']);
  });

  it('accepts a complete report', () => expect(f.validate(valid)).toEqual({ valid: true, errors: [], data: valid }));
  it('accepts the bare minimum: nature, description, street, name and a phone instead of an e-mail', () => {
    const minimal = { nature: 'autre', description: 'Banc public cassé.', voie: 'place de la Mairie', nom: 'Roux', prenom: 'Paul', telephone: '06 12 34 56 78' };
    expect(f.validate(minimal)).toEqual({ valid: true, errors: [], data: minimal });
  });
  it('accepts negative coordinates (Guadeloupe)', () => expect(f.validate({ ...valid, latitude: 16.2411, longitude: -61.5331 }).valid).toBe(true));

  it.each([
    ['no nature', { nature: undefined }, '/nature', 'Ce champ est obligatoire.'],
    ['unknown nature', { nature: 'incendie' }, '/nature', 'Choisissez l’une des valeurs proposées.'],
    ['nature in another case', { nature: 'VOIRIE' }, '/nature', 'Choisissez l’une des valeurs proposées.'],
    ['description too short', { description: 'trou' }, '/description', 'Décrivez le problème en quelques mots (10 caractères au moins).'],
    ['blank description', { description: '   ' }, '/description', 'Ce champ est obligatoire.'],
    ['description too long', { description: 'x'.repeat(2001) }, '/description', 'La description ne peut pas dépasser 2 000 caractères.'],
    ['no street', { voie: undefined }, '/voie', 'Ce champ est obligatoire.'],
    ['street too short', { voie: '12' }, '/voie', 'Indiquez le numéro et le nom de la rue, ou le nom de la place.'],
    ['street too long', { voie: 'rue '.repeat(51) }, '/voie', 'L\'adresse ne peut pas dépasser 200 caractères.'],
    ['landmark as an object', { repere: { texte: 'ici' } }, '/repere', 'La valeur doit être un texte.'],
    ['unknown quartier', { quartier: 'banlieue' }, '/quartier', 'Choisissez l’une des valeurs proposées.'],
    ['latitude out of range', { latitude: 91 }, '/latitude', 'La latitude est un nombre décimal entre -90 et 90 (exemple : 48.8566).'],
    ['latitude as text', { latitude: '48°51′N' }, '/latitude', 'La latitude est un nombre décimal entre -90 et 90 (exemple : 48.8566).'],
    ['longitude out of range', { longitude: -180.5 }, '/longitude', 'La longitude est un nombre décimal entre -180 et 180 (exemple : 2.3522).'],
    ['latitude without longitude', { longitude: undefined }, '/longitude', 'Indiquez aussi la longitude, ou effacez la latitude.'],
    ['longitude without latitude', { latitude: undefined }, '/latitude', 'Indiquez aussi la latitude, ou effacez la longitude.'],
    ['seen tomorrow', { dateConstat: '2026-09-02' }, '/dateConstat', 'La date du constat ne peut pas être postérieure à aujourd\'hui.'],
    ['danger as text', { danger: 'oui' }, '/danger', 'La valeur doit être oui ou non.'],
    ['neither e-mail nor phone', { courriel: undefined }, '/courriel', 'Indiquez une adresse électronique ou un numéro de téléphone pour être informé du traitement de votre signalement.'],
    ['bad phone', { telephone: '12' }, '/telephone', 'Numéro de téléphone invalide (exemple : 01 23 45 67 89).'],
    ['digits in the name', { nom: 'Nguyen3' }, '/nom', 'Le nom ne peut contenir que des lettres, des espaces, des apostrophes et des tirets.'],
    ['markup in the name', { prenom: '<script>alert(1)</script>' }, '/prenom', 'Les prénoms ne peuvent contenir que des lettres, des espaces, des virgules, des apostrophes et des tirets.'],
    ['a field the form does not have', { gravite: 'haute' }, '/gravite', 'Champ non prévu par le formulaire.'],
  ])('%s', (_name, change, path, message) => {
    const result = f.validate({ ...valid, ...change });
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({ path, message });
  });

  it('keeps markup and line breaks in the description and landmark as plain text', () => {
    const hostile = { ...valid, description: '<img src=x onerror=alert(1)>\nDalle cassée ; DROP TABLE request;--', repere: '"><script>alert(1)</script>' };
    expect(f.validate(hostile)).toEqual({ valid: true, errors: [], data: hostile });
  });

  it('refuses a prototype key and a 10 MB description without throwing', () => {
    expect(f.validate(JSON.parse('{"__proto__": {"admin": true}, "nature": "voirie"}')).valid).toBe(false);
    const started = Date.now();
    const result = f.validate({ ...valid, description: 'x'.repeat(10_000_000) });
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.path)).toContain('/description');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('never throws on any value in the new fields, and accepts a value only if it fits the field', () => {
    const anyValue = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })));
    const fields = ['nature', 'description', 'danger', 'dateConstat', 'voie', 'repere', 'quartier', 'latitude', 'longitude'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), anyValue, (key, value) => {
        const result = f.validate({ ...valid, [key]: value });
        if (result.valid) {
          const kept = result.data![key];
          if (kept === undefined) return; // a blank optional value is dropped
          if (key === 'latitude') expect(typeof kept === 'number' && Math.abs(kept) <= 90).toBe(true);
          else if (key === 'longitude') expect(typeof kept === 'number' && Math.abs(kept) <= 180).toBe(true);
          else if (key === 'danger') expect(typeof kept).toBe('boolean');
          else if (key === 'nature') expect(['voirie', 'eclairage', 'proprete', 'espaces-verts', 'arbre', 'abords-ecole', 'autre']).toContain(kept);
          else if (key === 'quartier') expect(['centre-ville', 'nord', 'sud', 'est', 'ouest']).toContain(kept);
          else expect(typeof kept).toBe('string');
        } else {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const e of result.errors) expect(typeof e.message).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });
});
