import type { Metadata } from 'next';
import { PasswordReset } from '@/app/_components/console/PasswordReset';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Mot de passe oublié' };

/** Request a reset link, or set a new password from the e-mailed link (?jeton=…). */
export default async function PasswordPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<{ jeton?: string }> }) {
  const { tenant } = await params;
  const { jeton } = await searchParams;
  return (
    <main id="contenu" className="console-main narrow">
      <h1>{jeton ? 'Choisir un nouveau mot de passe' : 'Mot de passe oublié'}</h1>
      {jeton ? null : <p>Saisissez l’adresse de votre compte : vous recevrez un lien valable une heure.</p>}
      <PasswordReset tenant={tenant} token={jeton} />
      <p>
        <a href={`/console/${tenant}/connexion`}>Retour à la connexion</a>
      </p>
    </main>
  );
}
