import type { ReactNode } from 'react';
import type { AgentPrincipal } from '@/domain/auth/sessions';
import { meets } from '@/domain/auth/roles';
import { LogoutButton } from './LogoutButton';
import { QuarantineCount } from './QuarantineCount';

/** Header, navigation and main landmark of every console page behind the login. */
export function ConsoleShell({ principal, current, children }: { principal: AgentPrincipal; current: string; children: ReactNode }) {
  const base = `/console/${principal.tenantSlug}`;
  const links = [
    { href: base, label: 'Demandes', key: 'inbox', show: true },
    { href: `${base}/accueil-guichet`, label: 'Accueil et téléphone', key: 'intake', show: true },
    { href: `${base}/campagnes`, label: 'Campagnes', key: 'campaigns', show: true },
    { href: `${base}/quarantaine`, label: 'Courriels en quarantaine', key: 'quarantine', show: true, count: true },
    { href: `${base}/tableau-de-bord`, label: 'Tableau de bord', key: 'dashboard', show: meets(principal, 'head') },
    { href: `${base}/regie`, label: 'Régie : paiements', key: 'treasury', show: meets(principal, 'treasury') },
    { href: `${base}/catalogue`, label: 'Catalogue', key: 'catalogue', show: principal.isAdmin },
    { href: `${base}/admin`, label: 'Administration', key: 'admin', show: principal.isAdmin },
    { href: `${base}/abonnes`, label: 'Abonnés', key: 'subscribers', show: meets(principal, 'dpo') },
    { href: `${base}/donnees-personnelles`, label: 'Données personnelles', key: 'personal-data', show: meets(principal, 'dpo') },
    { href: `${base}/journal`, label: 'Journal d’audit', key: 'audit', show: meets(principal, 'dpo') },
  ];
  return (
    <div className="console">
      <a className="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header className="console-header">
        <div className="inner">
          <strong>{principal.tenantName} — console</strong>
          <nav aria-label="Console">
            <ul>
              {links
                .filter((l) => l.show)
                .map((l) => (
                  <li key={l.key}>
                    <a href={l.href} aria-current={l.key === current ? 'page' : undefined}>
                      {l.label}
                      {'count' in l ? <QuarantineCount principal={principal} /> : null}
                    </a>
                  </li>
                ))}
            </ul>
          </nav>
          <span className="who">
            {principal.name} <LogoutButton tenant={principal.tenantSlug} />
          </span>
        </div>
      </header>
      <main id="contenu" className="console-main">
        {children}
      </main>
    </div>
  );
}

/** What a page shows when the agent's role does not allow it. */
export function Forbidden() {
  return (
    <>
      <h1>Accès refusé</h1>
      <p role="alert">Votre rôle ne permet pas d’ouvrir cette page. Demandez l’accès à l’administrateur de votre commune.</p>
    </>
  );
}
