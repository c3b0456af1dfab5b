import Link from 'next/link';
import { appContext } from '@/app/_server/context';
import { listPublicTopics, listTopicOffers } from '@/domain/topics';
import { listPublicLists } from '@/domain/subscriptions/lists';
import { ContactDetails } from '@/app/_components/portal/contact-details';
import { frenchDelay } from '@/domain/format/french';
import { portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';

/** What a municipality may offer. A kind is live once its module exists and the tenant has a topic for it: questions always,
 * documents and registrations through smart forms (or, for documents without a form, the question form), purchases
 * through the catalogue. */
const REQUEST_KINDS = [
  { kind: 'question', title: 'Poser une question', text: 'Écrivez à la mairie : le bon service vous répond.' },
  { kind: 'document', title: 'Demander un document', text: "Acte d'état civil, attestation, brochure…" },
  { kind: 'registration', title: "S'inscrire", text: 'Centre de loisirs, activités sportives, réservation de salle.' },
  { kind: 'purchase', title: 'Payer en ligne', text: 'Cantine, billetterie, services municipaux.' },
  { kind: 'subscription', title: "S'abonner aux alertes", text: 'Météo, sécurité, menus de la cantine, actualités.' },
] as const;

function kindLink(slug: string, kind: string, topics: Array<{ slug: string; kind: string; form: string | null }>, hasLists: boolean): string | undefined {
  if (kind === 'question') return `/t/${slug}/question`;
  if (kind === 'subscription') return hasLists ? `/t/${slug}/abonnements` : undefined;
  const ofKind = topics.filter((t) => t.kind === kind);
  if ((kind === 'document' || kind === 'registration') && ofKind.some((t) => t.form)) return `/t/${slug}/formulaires`;
  if (kind === 'document' && ofKind.length) return `/t/${slug}/question?theme=${ofKind[0].slug}`;
  if (kind === 'purchase' && ofKind.length) return `/t/${slug}/achats`;
  return undefined;
}

/** Portal home of a municipality: what it offers, how to reach it, and its usual answer delays. */
export default async function TenantHome({ params }: { params: Promise<{ tenant: string }> }) {
  const tenant = await portalTenant((await params).tenant);
  const { orm } = await appContext();
  const em = orm.em.fork();
  const topics = await listPublicTopics(em, tenant.slug);
  const forms = await listTopicOffers(em, tenant.id);
  const hasLists = (await listPublicLists(em, tenant.slug)).length > 0;
  const webTopics = topics.filter((t) => t.slug !== 'sms-maire');
  const { contact } = tenant;
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Bienvenue sur le service de relation citoyen de {tenant.name}</h1>
      {tenant.branding.welcomeText ? <p className="lead">{tenant.branding.welcomeText}</p> : null}

      <section aria-labelledby="demarches">
        <h2 id="demarches">Vos démarches</h2>
        <ul className="tiles">
          {REQUEST_KINDS.map((k) => {
            const href = kindLink(tenant.slug, k.kind, forms, hasLists);
            return (
              <li key={k.kind} className={`tile${href ? '' : ' tile-off'}`}>
                <h3>{href ? <Link href={href}>{k.title}</Link> : k.title}</h3>
                <p>{k.text}</p>
                {href ? null : <p className="badge">Bientôt disponible</p>}
              </li>
            );
          })}
          <li className="tile">
            <h3>
              <Link href={`/t/${tenant.slug}/suivi`}>Suivre une demande</Link>
            </h3>
            <p>Avec la référence et le code de suivi reçus lors de votre demande.</p>
          </li>
        </ul>
      </section>

      <section aria-labelledby="delais">
        <h2 id="delais">Délais de réponse habituels</h2>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Délai de réponse par thème et service concerné</caption>
            <thead>
              <tr>
                <th scope="col">Thème</th>
                <th scope="col">Service</th>
                <th scope="col">Délai</th>
              </tr>
            </thead>
            <tbody>
              {webTopics.map((t) => (
                <tr key={t.slug}>
                  <td>{t.label}</td>
                  <td>{t.department}</td>
                  <td>{frenchDelay(t.delay, t.businessDays)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {contact.address || contact.phone || contact.email || contact.hours ? (
        <section aria-labelledby="contact">
          <h2 id="contact">Nous contacter</h2>
          <ContactDetails contact={contact} />
        </section>
      ) : null}
    </main>
  );
}
