import type { Metadata } from 'next';
import type { CSSProperties, ReactNode } from 'react';
import { PortalFooter, PortalHeader } from '@/app/_components/portal/chrome';
import { portalTenant } from '@/app/t/_lib/tenant';
import '@/app/_components/portal/portal.css';

export const dynamic = 'force-dynamic';

/** Every portal page is titled with its municipality. */
export async function generateMetadata({ params }: { params: Promise<{ tenant: string }> }): Promise<Metadata> {
  const tenant = await portalTenant((await params).tenant);
  return { title: { default: tenant.name, template: `%s — ${tenant.name}` } };
}

/** Frame of a municipality's portal: its name, logo, colours and contact on every page. */
export default async function PortalLayout({ children, params }: { children: ReactNode; params: Promise<{ tenant: string }> }) {
  const tenant = await portalTenant((await params).tenant);
  const style = {
    '--primary': tenant.colours.primary,
    '--on-primary': tenant.colours.onPrimary,
    '--link': tenant.colours.link,
    '--accent': tenant.colours.accent,
  } as CSSProperties;
  return (
    <div className="portal" style={style}>
      <a className="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <PortalHeader tenant={tenant} />
      {children}
      <PortalFooter tenant={tenant} />
    </div>
  );
}
