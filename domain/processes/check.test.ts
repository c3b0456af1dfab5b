import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonFile } from '@/forms/json-file';
import { loadFormDefinition } from '@/forms/load';
import { checkProcessDefinition, type ProcessError } from './check';
import { withForm } from './context';
import type { ProcessDefinition } from './definition';
import { demoContext } from './testing/demo-context';

const TESTING = join(import.meta.dirname, 'testing');
const BROKEN = join(TESTING, 'broken');
/** The broken files are checked as the demo tenant's room booking process would be: against its names and its form. */
const context = withForm(demoContext(), loadFormDefinition('forms/definitions/reservation-salle.json'));
const read = (file: string): unknown => readJsonFile(file).json;
const valid = (): ProcessDefinition => structuredClone(read(join(TESTING, 'valid.json'))) as ProcessDefinition;

/** Each broken file, and exactly what it is refused with. */
const BROKEN_FILES: Array<[string, ProcessError[]]> = [
  ['01-not-an-object.json', [
    { path: '', message: "La définition doit être un objet JSON." },
  ]],
  ['02-missing-start.json', [
    { path: '/start', message: "Ce champ est obligatoire." },
  ]],
  ['03-unknown-kind.json', [
    { path: '/steps/4/kind', message: "Type d’étape inconnu « repondre » (types connus : acknowledge, route, answer, validate, request_information, decide, issue_document, export, collect_payment, notify, wait, close)." },
  ]],
  ['04-extra-field.json', [
    { path: '/steps/7/couleur', message: "Champ non prévu par le format des processus." },
  ]],
  ['05-bad-step-id.json', [
    { path: '/steps/0/id', message: "Identifiant d’étape invalide : minuscules, chiffres et tirets uniquement (ex. « valider-n1 »)." },
  ]],
  ['06-duplicate-step-id.json', [
    { path: '/steps/8/id', message: "L’identifiant « clore » est déjà celui de l’étape /steps/7." },
  ]],
  ['07-unknown-start.json', [
    { path: '/start', message: "L’étape de départ « debut » n’existe pas." },
  ]],
  ['08-unknown-successor.json', [
    { path: '/steps/5/returned', message: "L’étape « rediger » n’existe pas." },
  ]],
  ['09-unreachable-step.json', [
    { path: '/steps/10', message: "L’étape « oubliee » n’est jamais atteinte depuis le départ (« accuser »)." },
  ]],
  ['10-loop-without-wait.json', [
    { path: '/steps/10', message: "Boucle sans attente entre les étapes « exporter », « informer » : une boucle doit passer par une étape qui attend (réponse, validation, complément, décision, paiement ou attente)." },
  ]],
  ['11-no-reachable-close.json', [
    { path: '/start', message: "Aucune étape de clôture (« close ») n’est atteignable depuis le départ." },
  ]],
  ['12-trapped-step.json', [
    { path: '/steps/10', message: "Depuis l’étape « relancer », aucune clôture (« close ») n’est atteignable." },
  ]],
  ['13-unknown-department.json', [
    { path: '/steps/1/rules/0/department', message: "Service inconnu « voirie » (connus : « accueil », « affaires-scolaires », « etat-civil », « parcs-jardins », « urbanisme »)." },
  ]],
  ['14-unknown-message-template.json', [
    { path: '/steps/6/template', message: "Modèle de message inconnu « reponse-finale » (connus : « accueil-brochure-envoyee », « accueil-demarche-en-ligne », « accueil-rendez-vous », « accueil-reservation-salle-pieces », « acknowledgement », « acte-naissance-delai », « answer », « ecoles-cantine-allergies », « ecoles-inscription-pieces », « ecoles-loisirs-liste-attente », « etat-civil-autre-commune », « etat-civil-copie-integrale » et 9 autres)." },
  ]],
  ['15-unknown-document-template.json', [
    { path: '/steps/10/template', message: "Modèle de document inconnu « attestation » (connus : « acknowledgement », « answer-letter », « certificate », « payment-receipt », « quality-report »)." },
  ]],
  ['16-unknown-connector.json', [
    { path: '/steps/10/connector', message: "Connecteur d’export inconnu « ftp » (connus : « file »)." },
  ]],
  ['17-expression-does-not-compile.json', [
    { path: '/steps/1/rules/0/when', message: "L’expression ne se compile pas (Unexpected character: =) : data.salle = \"salle-des-fetes\"" },
  ]],
  ['18-expression-unknown-field.json', [
    { path: '/steps/1/rules/0/when', message: "Le champ « data.sale » n’existe pas dans le formulaire « reservation-salle »." },
  ]],
  ['19-invalid-duration.json', [
    { path: '/steps/3/timeout', message: "Durée invalide « 15 jours » : une durée ISO 8601 positive comme « P8D » (8 jours), « P2W » (2 semaines) ou « PT48H » (48 heures)." },
  ]],
  ['20-business-days-in-months.json', [
    { path: '/guaranteedDelay/delay', message: "En jours ouvrés, la durée « P1M » ne peut pas compter d’années ni de mois : écrivez-la en jours ou en semaines." },
  ]],
  ['21-escalation-not-increasing.json', [
    { path: '/escalation/1/percent', message: "Les pourcentages doivent croître d’un palier au suivant." },
  ]],
  ['22-escalation-without-step-delay.json', [
    { path: '/steps/2/escalation', message: "Des relances demandent un délai propre à l’étape (delay)." },
  ]],
  ['23-amount-negative.json', [
    { path: '/steps/3/amount', message: "Le montant doit être un nombre entier de centimes d’euro, positif ou nul (ex. 35000 pour 350 €)." },
  ]],
  ['24-amount-not-integer.json', [
    { path: '/steps/3/amount', message: "Le montant doit être un nombre entier de centimes d’euro, positif ou nul (ex. 35000 pour 350 €)." },
  ]],
  ['25-validate-without-levels.json', [
    { path: '/steps/5/levels', message: "Indiquez au moins un niveau de validation." },
  ]],
  ['26-acknowledge-not-first.json', [
    { path: '/start', message: "Le processus doit commencer par l’accusé de réception (« accuser »)." },
  ]],
  ['27-acknowledge-missing.json', [
    { path: '/steps', message: "Le processus doit commencer par un accusé de réception (étape « acknowledge »)." },
  ]],
  ['28-wait-duration-and-date.json', [
    { path: '/steps/10', message: "Une attente indique soit une durée (duration), soit une date (until)." },
  ]],
  ['29-reminder-after-timeout.json', [
    { path: '/steps/10/reminderAfter', message: "La relance doit partir avant l’abandon : reminderAfter doit être plus court que timeout." },
  ]],
];

describe('checkProcessDefinition', () => {
  it('accepts the valid file the broken ones derive from', () => {
    expect(checkProcessDefinition(valid(), context)).toEqual({ definition: valid(), errors: [] });
  });

  it('has a table entry for every broken file, and at least 20 of them', () => {
    expect(BROKEN_FILES.map(([file]) => file)).toEqual(readdirSync(BROKEN).filter((f) => f.endsWith('.json')).sort());
    expect(BROKEN_FILES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(BROKEN_FILES)('refuses %s with the path and the French message', (file, errors) => {
    expect(checkProcessDefinition(read(join(BROKEN, file)), context)).toEqual({ errors });
  });

  it('checks only the names it is given: no tenant, no department check; no form, no field check', () => {
    const definition = valid();
    const route = definition.steps[1] as Extract<ProcessDefinition['steps'][number], { kind: 'route' }>;
    route.department = 'voirie';
    route.rules = [{ when: 'data.quartier == "nord"', department: 'voirie-nord' }];
    expect(checkProcessDefinition(definition).errors).toEqual([]);
    expect(checkProcessDefinition(definition, demoContext()).errors.map((e) => e.path)).toEqual(['/steps/1/department', '/steps/1/rules/0/department']);
  });

  it('reads nested fields of the form (through $ref) and refuses an unknown member of an object field', () => {
    const acte = withForm(demoContext(), loadFormDefinition('forms/definitions/acte-naissance.json'));
    const definition = valid();
    const route = definition.steps[1] as Extract<ProcessDefinition['steps'][number], { kind: 'route' }>;
    route.rules = [
      { when: 'data.adresse.codePostal.startsWith("99") && data["typeActe"] == "extrait-avec-filiation"', department: 'accueil' },
      { when: 'data.adresse.quartier == "nord"', department: 'accueil' },
    ];
    expect(checkProcessDefinition(definition, acte).errors).toEqual([
      { path: '/steps/1/rules/1/when', message: 'Le champ « data.adresse.quartier » n’existe pas dans le formulaire « acte-naissance ».' },
    ]);
  });

  it('refuses an expression that reads an unknown variable', () => {
    const definition = valid();
    (definition.steps[1] as Extract<ProcessDefinition['steps'][number], { kind: 'route' }>).rules = [
      { when: 'quartier == "nord" && data.x > 0', department: 'accueil' },
      { when: 'data.brochures.exists(b, b == "plan") && channel == "web" && citizen.email != ""', department: 'accueil' },
      { when: 'data.brochures.all(b, b == langue)', department: 'accueil' },
    ];
    expect(checkProcessDefinition(definition).errors).toEqual([
      { path: '/steps/1/rules/0/when', message: 'Variable inconnue « quartier » : une expression lit data, citizen, channel ou receivedAt.' },
      { path: '/steps/1/rules/2/when', message: 'Variable inconnue « langue » : une expression lit data, citizen, channel ou receivedAt.' },
    ]);
  });

  it('accepts an amount computed from the form, and checks its fields', () => {
    const definition = valid();
    const pay = definition.steps[3] as Extract<ProcessDefinition['steps'][number], { kind: 'collect_payment' }>;
    pay.amount = 'data.salle == "salle-des-fetes" ? 35000 : 0';
    expect(checkProcessDefinition(definition, context).errors).toEqual([]);
    pay.amount = 'data.tarif * 100';
    expect(checkProcessDefinition(definition, context).errors).toEqual([
      { path: '/steps/3/amount', message: 'Le champ « data.tarif » n’existe pas dans le formulaire « reservation-salle ».' },
    ]);
  });

  it('refuses a step cascade that is not valid, with the index of the faulty reminder', () => {
    const definition = valid();
    definition.steps[2].delay = { delay: 'P3D', businessDays: true };
    definition.steps[2].escalation = [{ percent: 50, recipients: [] }];
    expect(checkProcessDefinition(definition, context).errors).toEqual([
      { path: '/steps/2/escalation/0/recipients', message: 'Indiquez au moins un destinataire.' },
    ]);
  });

  it('never throws on hostile input', () => {
    for (const value of [null, 'texte', 42, { steps: 'non' }, { __proto__: { slug: 'x' } }, JSON.parse('{"__proto__": {"x": 1}}')]) {
      const { definition, errors } = checkProcessDefinition(value);
      expect(definition).toBeUndefined();
      expect(errors.length).toBeGreaterThan(0);
    }
  });
});
