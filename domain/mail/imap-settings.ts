// A tenant's IMAP mailbox settings: URL checks for the tenant import, the password sealed at rest, defaults.
import type { TenantMailSettings } from '@/domain/entities/tenant';
import { decryptSecret, encryptSecret, isEnvelope } from '@/domain/secrets/envelope';

/** settings.mail.imap as a tenant file writes it. */
export type ImapSettings = NonNullable<TenantMailSettings['imap']>;

/** The mailbox read when the settings name none. */
export const DEFAULT_IMAP_MAILBOX = 'INBOX';

/** Where imported messages go when the settings name no folder; `/` separates levels whatever the server uses. */
export const DEFAULT_IMPORTED_FOLDER = 'Relais/Importés';

/** How to reach and read one tenant's mailbox, the password in clear: for the poller only, never stored or logged. */
export interface ImapConnectionSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password?: string;
  mailbox: string;
  /** The imported folder's levels, joined by the poller with the server's own separator. */
  importedFolder: string[];
  tlsInsecure: boolean;
  /** The address the mailbox receives at, as the intake's envelope names it. */
  address: string;
}

/** Authenticated data of the password's envelope: a sealed password copied to another tenant does not open there. */
export function imapSecretContext(tenantId: string): string {
  return `tenant_imap:${tenantId}`;
}

/** French reason why an IMAP URL is unusable, or undefined when it is fine (imap:// or imaps://host[:port]). */
export function imapUrlProblem(value: string): string | undefined {
  const expected = 'attendu imaps://serveur:port (ou imap://serveur:port), par exemple imaps://imap.ville-demo.fr:993';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `Adresse du serveur IMAP illisible : ${expected}.`;
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:') return `Protocole non pris en charge : ${expected}.`;
  if (!url.hostname) return `Nom du serveur IMAP manquant : ${expected}.`;
  if (url.username || url.password) return "L'adresse ne doit pas contenir d'identifiant ni de mot de passe : renseignez user et password.";
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) return `L'adresse ne doit contenir ni dossier ni paramètres (le dossier se règle avec mailbox) : ${expected}.`;
  if (url.port && Number(url.port) === 0) return 'Le port doit être compris entre 1 et 65535.';
  return undefined;
}

/**
 * The settings as stored: the password sealed with RELAIS_ENCRYPTION_KEY. A password equal to the stored one keeps its
 * envelope (re-importing a file changes nothing); a file without a password keeps the stored one.
 */
export function sealImapSettings(imap: ImapSettings, tenantId: string, stored?: ImapSettings): ImapSettings {
  const context = imapSecretContext(tenantId);
  const previous = stored?.password && isEnvelope(stored.password) ? stored.password : undefined;
  if (imap.password === undefined) return previous ? { ...imap, password: previous } : imap;
  if (isEnvelope(imap.password)) return imap;
  if (previous && decryptSecret(previous, context) === imap.password) return { ...imap, password: previous };
  return { ...imap, password: encryptSecret(imap.password, context) };
}

/** The connection settings of a stored mailbox, its password opened; throws SecretDecryptionError on a wrong key. */
export function imapConnectionOf(tenantId: string, imap: ImapSettings): ImapConnectionSettings {
  const url = new URL(imap.url);
  const secure = url.protocol === 'imaps:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const user = imap.user;
  const password = imap.password && isEnvelope(imap.password) ? decryptSecret(imap.password, imapSecretContext(tenantId)) : imap.password;
  return {
    host,
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    secure,
    user,
    password,
    mailbox: imap.mailbox ?? DEFAULT_IMAP_MAILBOX,
    importedFolder: folderLevels(imap.importedFolder ?? DEFAULT_IMPORTED_FOLDER) ?? folderLevels(DEFAULT_IMPORTED_FOLDER)!,
    tlsInsecure: imap.tlsInsecure ?? false,
    address: (user.includes('@') ? user : `${user}@${host}`).toLowerCase(),
  };
}

function folderLevels(folder: string): string[] | undefined {
  const levels = folder.split('/').map((level) => level.trim()).filter(Boolean);
  return levels.length ? levels : undefined;
}
