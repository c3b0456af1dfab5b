import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { oidcButton } from '@/domain/auth/oidc';
import { Tenant } from '@/domain/entities';
import { appContext } from '@/app/_server/context';
import { LoginForm } from '@/app/_components/console/LoginForm';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Connexion à la console' };

/** Login page of a tenant's console. */
export default async function LoginPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<{ retour?: string }> }) {
  const { tenant } = await params;
  const { retour } = await searchParams;
  const { orm } = await appContext();
  const em = orm.em.fork();
  const row = await em.getRepository(Tenant).findBySlug(tenant);
  if (!row) notFound();
  // Only a path inside this console: an absolute URL would make the login page an open redirect.
  const returnTo = retour && retour.startsWith(`/console/${tenant}`) && !retour.startsWith('//') ? retour : `/console/${tenant}`;
  return (
    <main id="contenu" className="console-main narrow">
      <h1>Console des agents — {row.name}</h1>
      <LoginForm tenant={tenant} returnTo={returnTo} oidcLabel={await oidcButton(em, tenant)} />
    </main>
  );
}
