import type { Metadata } from 'next';
import Link from 'next/link';
import { formatNumber } from '@/domain/format/french';
import { listProductOffers } from '@/domain/payments/catalogue';
import { appContext } from '@/app/_server/context';
import { priceText, purchasePaths } from '@/app/t/_lib/purchase';
import { portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Payer en ligne' };

/** The municipality's catalogue: what it sells online, the price, the places left, and what is sold out. */
export default async function CataloguePage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const tenant = await portalTenant((await params).tenant);
  const { erreur } = await searchParams;
  const { orm } = await appContext();
  const offers = await listProductOffers(orm.em.fork(), tenant.slug);
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Payer en ligne</h1>
      <p className="lead">
        Achetez vos places de spectacle, vos tickets de cantine ou réglez une caution. Le montant est calculé par la mairie, et le paiement se fait par carte
        bancaire sur PayFiP, le service de paiement sécurisé de la Direction générale des Finances publiques.
      </p>
      {erreur ? (
        <div className="notice notice-error" role="alert">
          <p>Ce produit n’est pas ou plus en vente en ligne.</p>
        </div>
      ) : null}
      {offers.length ? (
        <ul className="tiles" aria-label="Catalogue">
          {offers.map((offer) => (
            <li key={offer.slug} className={`tile${offer.available ? '' : ' tile-off'}`} data-product={offer.slug}>
              <h2>{offer.available ? <Link href={purchasePaths.form(tenant.slug, offer.slug)}>{offer.label}</Link> : offer.label}</h2>
              {offer.description ? <p>{offer.description}</p> : null}
              <p>
                <strong>{priceText(offer)}</strong>
              </p>
              {offer.stock !== undefined && offer.stock > 0 ? <p>{`${offer.stock === 1 ? 'Place restante' : 'Places restantes'} : ${formatNumber(offer.stock)}`}</p> : null}
              {offer.available ? null : <p className="badge">{offer.stock === 0 ? 'Complet' : 'Hors période de vente'}</p>}
            </li>
          ))}
        </ul>
      ) : (
        <p>La commune ne vend rien en ligne pour le moment.</p>
      )}
    </main>
  );
}
