import Link from 'next/link';
import type { PortalTenant } from '@/app/t/_lib/tenant';

/** Header of a municipality's portal: logo, name and the three things a citizen comes for. */
export function PortalHeader({ tenant }: { tenant: PortalTenant }) {
  const base = `/t/${tenant.slug}`;
  return (
    <header className="portal-header">
      <div className="portal-inner portal-brand">
        {tenant.branding.logoUrl ? (
          <img className="portal-logo" src={tenant.branding.logoUrl} alt="" width={56} height={56} />
        ) : (
          <span className="portal-logo portal-logo-initial" aria-hidden="true">
            {tenant.name.replace(/^(Ville|Commune|Mairie) d[eu']?\s*/i, '').charAt(0).toUpperCase()}
          </span>
        )}
        <p className="portal-name">
          <Link href={base}>
            {tenant.name}
            <span className="portal-service">Relation citoyen</span>
          </Link>
        </p>
      </div>
      <nav className="portal-nav" aria-label="Menu principal">
        <ul className="portal-inner">
          <li>
            <Link href={base}>Accueil</Link>
          </li>
          <li>
            <Link href={`${base}/question`}>Poser une question</Link>
          </li>
          <li>
            <Link href={`${base}/suivi`}>Suivre une demande</Link>
          </li>
        </ul>
      </nav>
    </header>
  );
}

/** Footer: how else to reach the town hall, and its own site. */
export function PortalFooter({ tenant }: { tenant: PortalTenant }) {
  const { contact } = tenant;
  return (
    <footer className="portal-footer">
      <div className="portal-inner">
        <p className="portal-footer-name">{tenant.name}</p>
        {contact.address ? <p>{contact.address}</p> : null}
        <ul className="portal-footer-links">
          {contact.phone ? (
            <li>
              Téléphone : <a href={`tel:${contact.phone.replace(/\s/g, '')}`}>{contact.phone}</a>
            </li>
          ) : null}
          {contact.email ? (
            <li>
              Courriel : <a href={`mailto:${contact.email}`}>{contact.email}</a>
            </li>
          ) : null}
          {tenant.branding.websiteUrl ? (
            <li>
              <a href={tenant.branding.websiteUrl}>Site internet de la commune</a>
            </li>
          ) : null}
        </ul>
        <nav aria-label="Informations légales">
          <ul className="portal-footer-links">
            <li>
              <Link href={`/t/${tenant.slug}/confidentialite`}>Politique de confidentialité</Link>
            </li>
            <li>
              <Link href={`/t/${tenant.slug}/accessibilite`}>Accessibilité : {tenant.accessibilityStatus}</Link>
            </li>
          </ul>
        </nav>
        <p className="portal-footer-note">Service proposé avec Relais, la relation citoyen des collectivités.</p>
      </div>
    </footer>
  );
}
