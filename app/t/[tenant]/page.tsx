import { notFound } from 'next/navigation';
import { appContext } from '../../_server/context';
import { listPublicTopics } from '../../../domain/topics';
import { NotFoundError } from '../../../domain/validation';
import { query } from '../../../domain/sql';

export const dynamic = 'force-dynamic';

/** Portal home of a municipality: its topics and typical delays. */
export default async function TenantHome({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const { orm } = await appContext();
  const em = orm.em.fork();
  const [tenant] = await query<{ name: string; branding: { welcomeText?: string; primaryColor: string } }>(em, 'select name, branding from tenant where slug = ?', [slug]);
  if (!tenant) notFound();
  const topics = await listPublicTopics(em, slug).catch((error) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  return (
    <>
      <header className="site-header" style={{ background: tenant.branding.primaryColor }}>
        <div className="inner">
          <strong>{tenant.name}</strong>
        </div>
      </header>
      <main id="contenu">
        <h1>Bienvenue sur le service de relation citoyen de {tenant.name}</h1>
        {tenant.branding.welcomeText ? <p>{tenant.branding.welcomeText}</p> : null}
        <h2>Délais de réponse habituels</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Thème</th>
              <th scope="col">Service</th>
              <th scope="col">Délai</th>
            </tr>
          </thead>
          <tbody>
            {topics.map((t) => (
              <tr key={t.slug}>
                <td>{t.label}</td>
                <td>{t.department}</td>
                <td>{frenchDelay(t.delay, t.businessDays)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </main>
    </>
  );
}

function frenchDelay(iso: string, businessDays: boolean): string {
  const days = /^P(\d+)D$/.exec(iso)?.[1];
  if (!days) return iso;
  return `${days} jours${businessDays ? ' ouvrés' : ''}`;
}
