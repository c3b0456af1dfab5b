import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { env } from '@/domain/env';
import { formatFrenchDateTime } from '@/domain/format/french';
import { publicRequestView, type PublicRequestView } from '@/domain/tracking/public-view';
import { trackingUrl } from '@/domain/urls';
import { NotFoundError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { PrintButton } from '@/app/_components/portal/print-button';
import { portalPaths, portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Demande envoyée' };

/**
 * Confirmation after the question form: the same facts as the acknowledgement. The tracking code comes from an
 * HttpOnly cookie scoped to this page for an hour, so it never appears in a URL; without it, the page sends to the e-mail.
 */
export default async function ConfirmationPage({ params }: { params: Promise<{ tenant: string; reference: string }> }) {
  const { tenant: slug, reference } = await params;
  const tenant = await portalTenant(slug);
  const code = (await cookies()).get('relais_code')?.value;
  let view: PublicRequestView | undefined;
  if (code) {
    const { orm } = await appContext();
    view = await publicRequestView(orm.em.fork(), tenant.slug, reference, code).catch((error) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
  }
  if (!view || !code) {
    return (
      <main id="contenu" className="portal-main" tabIndex={-1}>
        <h1>Votre demande a été envoyée</h1>
        <p>
          Le code de suivi de cette demande n’est plus affiché ici. Vous le trouverez dans l’accusé de réception envoyé par courriel ou par SMS.
        </p>
        <p>
          <Link href={portalPaths.lookup(tenant.slug)}>Suivre une demande avec sa référence et son code</Link>
        </p>
      </main>
    );
  }
  const fullLink = trackingUrl(env().PUBLIC_URL, tenant.slug, view.reference, code);
  return (
    <main id="contenu" className="portal-main confirmation" tabIndex={-1}>
      <div className="notice notice-success">
        <h1>Votre demande a bien été envoyée</h1>
        <p>Un accusé de réception reprenant ces informations vous a été adressé. Conservez-les pour suivre votre demande.</p>
      </div>
      <dl className="receipt">
        <div>
          <dt>Référence</dt>
          <dd className="receipt-value">{view.reference}</dd>
        </div>
        <div>
          <dt>Code de suivi</dt>
          <dd className="receipt-value">{code}</dd>
        </div>
        <div>
          <dt>Objet</dt>
          <dd>{view.subject}</dd>
        </div>
        <div>
          <dt>Service</dt>
          <dd>{view.department}</dd>
        </div>
        <div>
          <dt>Réponse au plus tard le</dt>
          <dd>{formatFrenchDateTime(new Date(view.dueAt), tenant.timeZone)}</dd>
        </div>
        <div>
          <dt>Lien de suivi</dt>
          <dd className="receipt-link">
            <Link href={portalPaths.tracking(tenant.slug, view.reference, code)}>Suivre ma demande {view.reference}</Link>
            <span className="print-only">{fullLink}</span>
          </dd>
        </div>
      </dl>
      <p className="no-print">
        <PrintButton />
      </p>
    </main>
  );
}
