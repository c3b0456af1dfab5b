import type { Metadata } from 'next';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { PersonalDataScreen } from '@/app/_components/console/PersonalDataScreen';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Données personnelles' };

/** Citizens' rights (RGPD): access, export and erasure of a person's data, for administrators and the data protection officer. */
export default async function PersonalDataPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, allowed } = await consolePage(tenant, 'dpo', `/console/${tenant}/donnees-personnelles`);
  return (
    <ConsoleShell principal={principal} current="personal-data">
      {allowed ? (
        <>
          <h1>Données personnelles</h1>
          <p>
            Droit d’accès et droit à l’effacement (RGPD, articles 15 et 17) : retrouvez ce que la commune détient sur une personne, remettez-lui un export, effacez ses
            données. Chaque recherche, consultation, export et effacement est inscrit au journal d’audit, sans l’adresse ni le numéro en clair.
          </p>
          <PersonalDataScreen tenant={tenant} />
        </>
      ) : (
        <Forbidden />
      )}
    </ConsoleShell>
  );
}
