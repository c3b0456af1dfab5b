import type { Metadata } from 'next';
import { loadLegalPages } from '@/domain/privacy/legal';
import { ContactDetails } from '@/app/_components/portal/contact-details';
import { LegalText } from '@/app/_components/portal/legal-text';
import { appContext } from '@/app/_server/context';
import { portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Politique de confidentialité' };

/** The tenant's privacy notice (RGPD art. 13): controller, data and purposes, the retention durations it configured, rights. */
export default async function PrivacyPage({ params }: { params: Promise<{ tenant: string }> }) {
  const tenant = await portalTenant((await params).tenant);
  const pages = await loadLegalPages((await appContext()).orm.em.fork(), tenant.id);
  const { contact } = tenant;
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Politique de confidentialité</h1>

      <section aria-labelledby="responsable">
        <h2 id="responsable">Responsable du traitement</h2>
        <p>
          Les données personnelles que vous confiez à ce service de relation citoyen sont traitées par <strong>{tenant.name}</strong>, représentée par son maire.
        </p>
        <ContactDetails contact={contact} />
        <p>
          Délégué à la protection des données :{' '}
          {pages.dpoContact ?? 'joignable aux coordonnées de la commune ci-dessus, en précisant « À l’attention du délégué à la protection des données ».'}
        </p>
      </section>

      <section aria-labelledby="donnees">
        <h2 id="donnees">Données collectées, finalités et destinataires</h2>
        <LegalText paragraphs={pages.privacy} />
      </section>

      <section aria-labelledby="conservation">
        <h2 id="conservation">Durées de conservation</h2>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Durée de conservation de chaque catégorie de données</caption>
            <thead>
              <tr>
                <th scope="col">Données</th>
                <th scope="col">Durée de conservation</th>
              </tr>
            </thead>
            <tbody>
              {pages.retention.map((line) => (
                <tr key={line.what}>
                  <td>{line.what}</td>
                  <td>{line.duration}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>À l’issue de ces durées, les données sont effacées ou rendues anonymes : seules restent des statistiques qui ne permettent pas de vous identifier.</p>
      </section>

      <section aria-labelledby="droits">
        <h2 id="droits">Vos droits</h2>
        <p>
          Vous pouvez accéder à vos données et en obtenir une copie, les faire rectifier ou effacer, demander la limitation de leur traitement ou vous y opposer (articles 15 à
          21 du RGPD). Pour exercer ces droits, écrivez à la commune en indiquant l’adresse électronique ou le numéro de téléphone utilisés pour vos demandes ; une réponse
          vous est apportée dans un délai d’un mois.
        </p>
        {contact.email || contact.address ? (
          <p>
            Contact : {contact.email ? <a href={`mailto:${contact.email}`}>{contact.email}</a> : null}
            {contact.email && contact.address ? ' ou par courrier, ' : null}
            {contact.address ?? null}
          </p>
        ) : null}
        <p>
          Si vous estimez, après avoir contacté la commune, que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de
          l’informatique et des libertés (CNIL) : en ligne sur <a href="https://www.cnil.fr/fr/plaintes">cnil.fr/fr/plaintes</a> ou par courrier à CNIL, 3 place de Fontenoy,
          TSA 80715, 75334 Paris Cedex 07.
        </p>
      </section>

      <section aria-labelledby="cookies">
        <h2 id="cookies">Cookies</h2>
        <p>Le portail ne dépose aucun cookie publicitaire ni de mesure d’audience.</p>
      </section>
    </main>
  );
}
