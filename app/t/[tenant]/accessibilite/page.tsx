import type { Metadata } from 'next';
import { loadLegalPages } from '@/domain/privacy/legal';
import { ContactDetails } from '@/app/_components/portal/contact-details';
import { LegalText } from '@/app/_components/portal/legal-text';
import { appContext } from '@/app/_server/context';
import { portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Déclaration d’accessibilité' };

/** The tenant's accessibility statement, after the RGAA model: conformity status, non-accessible content, contact, remedies. */
export default async function AccessibilityPage({ params }: { params: Promise<{ tenant: string }> }) {
  const tenant = await portalTenant((await params).tenant);
  const pages = await loadLegalPages((await appContext()).orm.em.fork(), tenant.id);
  const service = `service de relation citoyen de ${tenant.name}`;
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Déclaration d’accessibilité</h1>
      <p>
        {tenant.name} s’engage à rendre ses services en ligne accessibles, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration
        d’accessibilité s’applique au {service}.
      </p>

      <section aria-labelledby="conformite">
        <h2 id="conformite">État de conformité</h2>
        <p data-status={pages.accessibilityStatus}>
          Le {service} est <strong>{pages.accessibilityStatusLabel}</strong> avec le référentiel général d’amélioration de
          l’accessibilité (RGAA), version 4.1
          {pages.auditDate ? `, d’après l’audit réalisé le ${pages.auditDate}.` : ' : aucun audit de conformité n’a encore été réalisé.'}
        </p>
      </section>

      <section aria-labelledby="non-accessibles">
        <h2 id="non-accessibles">Contenus non accessibles</h2>
        <LegalText paragraphs={pages.accessibility} />
      </section>

      <section aria-labelledby="etablissement">
        <h2 id="etablissement">Établissement de cette déclaration</h2>
        <p>
          {pages.auditDate ? `Cette déclaration a été établie le ${pages.auditDate}.` : 'Cette déclaration a été établie à la mise en service du portail.'} Technologies
          utilisées : HTML, CSS et JavaScript ; le portail reste utilisable sans JavaScript.
        </p>
      </section>

      <section aria-labelledby="contact-accessibilite">
        <h2 id="contact-accessibilite">Retour d’information et contact</h2>
        <p>Si vous n’arrivez pas à accéder à un contenu ou à un service, contactez la commune pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme.</p>
        <ContactDetails contact={tenant.contact} />
      </section>

      <section aria-labelledby="recours">
        <h2 id="recours">Voies de recours</h2>
        <p>
          Si vous avez signalé à la commune un défaut d’accessibilité qui vous empêche d’accéder à un contenu ou à un service du portail et que vous n’avez pas obtenu de
          réponse satisfaisante, vous pouvez saisir le Défenseur des droits :
        </p>
        <ul>
          <li>
            par le <a href="https://formulaire.defenseurdesdroits.fr/">formulaire en ligne du Défenseur des droits</a> ;
          </li>
          <li>
            en contactant <a href="https://www.defenseurdesdroits.fr/carte-des-delegues">le délégué du Défenseur des droits dans votre région</a> ;
          </li>
          <li>par courrier, gratuitement et sans timbre : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.</li>
        </ul>
      </section>
    </main>
  );
}
