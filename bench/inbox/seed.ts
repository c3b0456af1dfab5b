import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@/domain/auth/db';
import { importTenant, type TenantConfig } from '@/domain/tenant-config/import';
import type { MikroORM } from '@mikro-orm/postgresql';

const DEPARTMENTS = ['accueil', 'etat-civil', 'urbanisme', 'parcs-jardins', 'affaires-scolaires', 'voirie'];

const SUBJECTS = [
  'Horaires de la déchetterie', 'Acte de naissance', 'Permis de construire', 'Éclairage public en panne', 'Inscription à la cantine',
  'Nid de poule rue de la République', 'Demande de logement social', 'Bruit de voisinage', 'Stationnement gênant', 'Ramassage des encombrants',
  'Carte d’identité et passeport', 'Réservation de la salle des fêtes', 'Arbre dangereux dans le parc', 'Centre de loisirs pendant les vacances',
  'Déclaration de travaux', 'Certificat de résidence', 'Tags sur un mur', 'Problème de collecte des ordures', 'Inscription sur les listes électorales',
  'Nuisances du chantier', 'Demande de subvention associative', 'Marché de Noël', 'Transport scolaire', 'Fuite d’eau sur la chaussée',
];

const WORDS = (
  'bonjour madame monsieur maire mairie demande question rue avenue boulevard place quartier école enfant parents cantine repas menu tarif ' +
  'inscription dossier formulaire pièce justificatif délai réponse rendez-vous accueil service urbanisme travaux clôture façade toiture garage ' +
  'piscine abri jardin haie arbre élagage trottoir chaussée voirie éclairage lampadaire panne signalement propreté déchets poubelles collecte ' +
  'encombrants déchetterie horaires ouverture fermeture samedi dimanche week-end vacances été hiver centre loisirs activité sport gymnase stade ' +
  'association subvention salle fête mariage naissance décès acte état civil copie intégrale extrait livret famille passeport carte identité ' +
  'élections liste électorale procuration stationnement parking voiture vélo piste cyclable bus transport scolaire bruit voisinage chien ' +
  'nuisance chantier permis construire déclaration préalable cadastre parcelle terrain logement social loyer aide sociale personnes âgées ' +
  'marché commerçants animation culture bibliothèque médiathèque musée concert théâtre billets remerciements urgent merci cordialement'
).split(' ');

const CHANNELS = ['web', 'web', 'web', 'email', 'email', 'sms', 'form', 'counter', 'phone'];

/** A bench tenant: six departments, one topic each, agents not needed (queries run as the domain functions). */
function tenantConfig(index: number): TenantConfig {
  return {
    slug: `bench-${index}`,
    name: `Commune de banc ${index}`,
    settings: { organisation: 'decentralised' },
    departments: DEPARTMENTS.map((slug) => ({ slug, name: slug })),
    topics: DEPARTMENTS.map((slug) => ({ slug: `theme-${slug}`, label: `Thème ${slug}`, department: slug, delay: 'P8D' })),
  };
}

/** Creates `tenants` tenants and `rows` requests spread over them and two years, in set-based SQL (generate_series). */
export async function seedInbox(orm: MikroORM, options: { rows: number; tenants: number; log: (line: string) => void }): Promise<string[]> {
  const slugs: string[] = [];
  const perTenant = Math.ceil(options.rows / options.tenants);
  for (let i = 1; i <= options.tenants; i += 1) {
    const config = tenantConfig(i);
    await importTenant(orm, config);
    slugs.push(config.slug);
    const em = orm.em.fork();
    const started = Date.now();
    await insertRequests(em, config.slug, perTenant);
    options.log(`seeded ${perTenant.toLocaleString('fr-FR')} requests in ${config.slug} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  await sql(orm.em.fork(), 'analyze request');
  return slugs;
}

async function insertRequests(em: EntityManager, tenantSlug: string, count: number): Promise<void> {
  // Two years of history, one request every `step` seconds; the newest 3 % are still open, older ones answered or closed.
  await sql(
    em,
    `with t as (select id from tenant where slug = ?),
          topics as (select array_agg(tp.id order by tp.slug) as topic_ids, array_agg(tp.department_id order by tp.slug) as department_ids
                       from topic tp join t on tp.tenant_id = t.id),
          words as (select ?::text[] as w, ?::text[] as s, ?::text[] as c),
          g as (select n, (? - n) as age from generate_series(1, ?) n)
     insert into request (id, tenant_id, reference, tracking_code_hash, kind, channel, reply_channel, topic_id, subject, body, citizen, state,
                          department_id, due_at, received_at, answered_at, closed_at, answer, workflow_id, created_at, updated_at)
     select gen_random_uuid(), t.id, 'B' || lpad(n::text, 9, '0'), md5(n::text), 'question', c[1 + (n * 7) % array_length(c, 1)], 'email',
            topic_ids[1 + n % 6], s[1 + (n * 13) % array_length(s, 1)] || ' ' || w[1 + (n * 31) % array_length(w, 1)],
            array_to_string(array[w[1 + (n * 3) % array_length(w, 1)], w[1 + (n * 5) % array_length(w, 1)], w[1 + (n * 11) % array_length(w, 1)], w[1 + (n * 17) % array_length(w, 1)], w[1 + (n * 19) % array_length(w, 1)],
                                  w[1 + (n * 23) % array_length(w, 1)], w[1 + (n * 29) % array_length(w, 1)], w[1 + (n * 37) % array_length(w, 1)], w[1 + (n * 41) % array_length(w, 1)], w[1 + (n * 43) % array_length(w, 1)],
                                  w[1 + (n * 47) % array_length(w, 1)], w[1 + (n * 53) % array_length(w, 1)], w[1 + (n * 59) % array_length(w, 1)], w[1 + (n * 61) % array_length(w, 1)], w[1 + (n * 67) % array_length(w, 1)]], ' '),
            jsonb_build_object('name', 'Citoyen ' || n, 'email', 'citoyen' || n || '@exemple.fr'),
            case when age < ? * 0.03 then (array['received','in_progress','in_progress','awaiting_citizen','awaiting_validation','transferred'])[1 + n % 6]
                 when n % 10 = 0 then 'answered' else 'closed' end,
            department_ids[1 + n % 6],
            now() - make_interval(secs => age * ?) + interval '8 days',
            now() - make_interval(secs => age * ?),
            case when age >= ? * 0.03 then now() - make_interval(secs => age * ?) + make_interval(hours => 2 + (n % 240)) end,
            case when age >= ? * 0.03 and n % 10 <> 0 then now() - make_interval(secs => age * ?) + interval '12 days' end,
            case when age >= ? * 0.03 then 'Réponse type numéro ' || (n % 50) end,
            'bench:' || ? || ':' || n, now(), now()
       from g, t, topics, words`,
    [
      tenantSlug, `{${WORDS.map((w) => `"${w}"`).join(',')}}`, `{${SUBJECTS.map((s) => `"${s}"`).join(',')}}`, `{${CHANNELS.join(',')}}`,
      count, count, count, stepSeconds(count), stepSeconds(count), count, stepSeconds(count), count, stepSeconds(count), count, tenantSlug,
    ],
  );
}

function stepSeconds(count: number): number {
  return Math.max(1, Math.floor((2 * 365 * 86_400) / count));
}
