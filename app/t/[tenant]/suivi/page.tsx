import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { publicRequestView } from '@/domain/tracking/public-view';
import { NotFoundError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { LookupForm } from '@/app/_components/portal/lookup-form';
import { portalPaths, portalTenant } from '@/app/t/_lib/tenant';

export const dynamic = 'force-dynamic';

/** Errors go first in the title, so they are announced on arrival. */
export async function generateMetadata({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }): Promise<Metadata> {
  const { reference, code } = await searchParams;
  return { title: reference !== undefined || code !== undefined ? 'Erreur : Suivre une demande' : 'Suivre une demande' };
}

/** "Suivre une demande": reference and code lead to the tracking page; a wrong pair says so without telling which. */
export default async function LookupPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const tenant = await portalTenant((await params).tenant);
  const { reference, code } = await searchParams;
  let error: string | undefined;
  if (reference !== undefined || code !== undefined) {
    const ref = (reference ?? '').trim();
    const typed = (code ?? '').trim();
    if (!ref || !typed) error = 'Indiquez la référence et le code de suivi de votre demande.';
    else {
      const { orm } = await appContext();
      const found = await publicRequestView(orm.em.fork(), tenant.slug, ref, typed).then(
        () => true,
        (e) => {
          if (e instanceof NotFoundError) return false;
          throw e;
        },
      );
      if (found) redirect(portalPaths.tracking(tenant.slug, ref, typed));
      error = 'Aucune demande ne correspond à cette référence et à ce code. Vérifiez-les dans votre accusé de réception.';
    }
  }
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <h1>Suivre une demande</h1>
      <p className="lead">Saisissez la référence et le code de suivi indiqués dans l’accusé de réception de votre demande.</p>
      <LookupForm action={portalPaths.lookup(tenant.slug)} reference={reference} error={error} />
    </main>
  );
}
