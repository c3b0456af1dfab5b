import type { Metadata } from 'next';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { ProductForm } from '@/app/_components/console/ProductForm';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Nouveau produit' };

/** Creates a catalogue product (administrators). */
export default async function NewProductPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, allowed } = await consolePage(tenant, 'admin', `/console/${tenant}/catalogue/nouveau`);
  return (
    <ConsoleShell principal={principal} current="catalogue">
      {allowed ? (
        <>
          <h1>Nouveau produit</h1>
          <ProductForm tenant={tenant} />
        </>
      ) : (
        <Forbidden />
      )}
    </ConsoleShell>
  );
}
