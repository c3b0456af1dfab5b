import Link from 'next/link';
import { appContext } from './_server/context';
import { Tenant } from '@/domain/entities';

export const dynamic = 'force-dynamic';

/** Entry page of the deployment: the municipalities it serves. */
export default async function HomePage() {
  const { orm } = await appContext();
  const tenants = await orm.em.fork().getRepository(Tenant).directory();
  return (
    <main id="contenu">
      <h1>Relais — relation citoyen</h1>
      <p>Choisissez votre commune pour poser une question ou suivre une demande.</p>
      <ul>
        {tenants.map((t) => (
          <li key={t.slug}>
            <Link href={`/t/${t.slug}`}>{t.name}</Link>
          </li>
        ))}
      </ul>
    </main>
  );
}
