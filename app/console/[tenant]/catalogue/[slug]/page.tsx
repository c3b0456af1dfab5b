import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getProduct } from '@/domain/payments/products';
import { NotFoundError } from '@/domain/validation';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { ProductForm } from '@/app/_components/console/ProductForm';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Produit du catalogue' };

/** Edits a catalogue product (administrators); its slug stays. */
export default async function ProductPage({ params }: { params: Promise<{ tenant: string; slug: string }> }) {
  const { tenant, slug } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'admin', `/console/${tenant}/catalogue/${slug}`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="catalogue">
        <Forbidden />
      </ConsoleShell>
    );
  }
  const product = await getProduct(em, principal.tenantId, slug).catch((error: unknown) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  return (
    <ConsoleShell principal={principal} current="catalogue">
      <p>
        <a href={`/console/${tenant}/catalogue`}>← Catalogue</a>
      </p>
      <h1>{product.label}</h1>
      <p className="muted">
        Identifiant : <code>{product.slug}</code>. Un fichier de commune réimporté (<code>tenant:import</code>) remplace ce qu’il déclare pour ce produit.
      </p>
      <ProductForm tenant={tenant} initial={product} />
    </ConsoleShell>
  );
}
