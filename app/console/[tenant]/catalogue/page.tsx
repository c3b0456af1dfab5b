import type { Metadata } from 'next';
import { formatEuros } from '@/domain/format/french';
import { listProducts } from '@/domain/payments/products';
import { listedUnitPrice } from '@/domain/payments/pricing';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Catalogue' };

const PRICING_LABELS = { fixed: 'Prix fixe', per_unit: 'À l’unité', bracket: 'Par tranche' } as const;

/** The products the municipality sells online, for administrators. */
export default async function CataloguePage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'admin', `/console/${tenant}/catalogue`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="catalogue">
        <Forbidden />
      </ConsoleShell>
    );
  }
  const products = await listProducts(em, principal.tenantId);
  return (
    <ConsoleShell principal={principal} current="catalogue">
      <h1>Catalogue</h1>
      <p className="muted">Ce que la commune vend en ligne : places de spectacle, tickets de cantine, cautions. Les prix sont calculés par Relais, jamais repris du navigateur.</p>
      <p>
        <a className="button" href={`/console/${tenant}/catalogue/nouveau`}>
          Nouveau produit
        </a>
      </p>
      <table>
        <caption>{products.length ? `${products.length} produit${products.length > 1 ? 's' : ''}` : 'Aucun produit.'}</caption>
        <thead>
          <tr>
            <th scope="col">Produit</th>
            <th scope="col">Tarification</th>
            <th scope="col" className="num">
              Prix
            </th>
            <th scope="col" className="num">
              Stock
            </th>
            <th scope="col">Ventes</th>
            <th scope="col">En vente</th>
          </tr>
        </thead>
        <tbody>
          {products.map((p) => (
            <tr key={p.slug}>
              <td>
                <a href={`/console/${tenant}/catalogue/${p.slug}`}>{p.label}</a>
              </td>
              <td>{PRICING_LABELS[p.pricing.kind]}</td>
              <td className="num">{p.pricing.kind === 'bracket' ? `jusqu’à ${formatEuros(listedUnitPrice(p.pricing))}` : formatEuros(listedUnitPrice(p.pricing))}</td>
              <td className="num">{p.stock === undefined ? 'Illimité' : `${p.stock - p.reserved} / ${p.stock}`}</td>
              <td>
                {p.salesStart ? `du ${new Date(p.salesStart).toLocaleDateString('fr-FR')} ` : ''}
                {p.salesEnd ? `au ${new Date(p.salesEnd).toLocaleDateString('fr-FR')}` : ''}
                {!p.salesStart && !p.salesEnd ? 'Toujours' : ''}
              </td>
              <td>{p.active ? 'Oui' : 'Non'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ConsoleShell>
  );
}
