import type { Metadata } from 'next';
import { loadMailSettings } from '@/domain/admin/mail-settings';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { MailSettingsForm } from '@/app/_components/console/MailSettingsForm';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Courriel entrant' };

/** Inbound e-mail administration: the addresses citizens can write to, routing, acknowledgements and the IMAP mailbox. */
export default async function MailAdminPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'admin', `/console/${tenant}/admin/courriel`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="admin">
        <Forbidden />
      </ConsoleShell>
    );
  }
  const { relaisAddresses, topics, ...settings } = await loadMailSettings(em, principal.tenantId);
  return (
    <ConsoleShell principal={principal} current="admin">
      <p>
        <a href={`/console/${tenant}/admin`}>Retour à l’administration</a>
      </p>
      <h1>Courriel entrant</h1>
      <section aria-labelledby="adresses-title" className="card stack">
        <h2 id="adresses-title">Adresses où écrire</h2>
        <p className="muted">Un courriel envoyé à l’une de ces adresses devient une demande ; l’adresse d’un thème choisit ce thème.</p>
        <ul>
          {relaisAddresses.map((a) => (
            <li key={a.address}>
              <code>{a.address}</code> — {a.label}
            </li>
          ))}
          {settings.addresses.map((address) => (
            <li key={address}>
              <code>{address}</code> — adresse de la commune transférée à Relais
            </li>
          ))}
        </ul>
      </section>
      <MailSettingsForm tenant={tenant} initial={settings} topics={topics} />
    </ConsoleShell>
  );
}
