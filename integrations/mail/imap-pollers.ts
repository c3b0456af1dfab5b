// One IMAP poller per tenant that has a mailbox in settings.mail.imap, for the worker process.
import type { MikroORM } from '@mikro-orm/postgresql';
import { Semaphore } from 'async-mutex';
import type { Logger } from 'pino';
import { Tenant } from '@/domain/entities';
import { imapConnectionOf } from '@/domain/mail/imap-settings';
import type { ReceiveEmail } from '@/domain/mail/inbound-message';
import { ImapPoller, type ImapPollerOptions } from './imap-poller';

/** What the worker gives the pollers. */
export interface ImapPollersDeps {
  orm: MikroORM;
  receive: ReceiveEmail;
  logger: Logger;
  /** Only these tenants (by slug); every tenant with a mailbox when unset. */
  tenantSlugs?: string[];
  /** Timings and limits passed to every poller (e.g. maxMessageBytes: INBOUND_MAIL_MAX_BYTES). */
  timings?: Omit<ImapPollerOptions, 'orm' | 'tenantId' | 'settings' | 'receive' | 'logger' | 'gate'>;
}

/** The running pollers; stop() closes them all. */
export interface ImapPollers {
  pollers: Map<string, ImapPoller>;
  stop(): Promise<void>;
}

// Each round holds a database connection for its lock: a few at a time leave the pool to the intake.
const CONCURRENT_ROUNDS = 2;

/**
 * Starts a poller for each tenant with settings.mail.imap. A tenant whose settings cannot be used (a password that
 * does not open with RELAIS_ENCRYPTION_KEY) is logged and skipped; the others run. Settings changed later are read at
 * the next worker start.
 */
export async function startImapPollers(deps: ImapPollersDeps): Promise<ImapPollers> {
  const log = deps.logger.child({ component: 'imap' });
  const tenants = await deps.orm.em.fork().find(Tenant, deps.tenantSlugs ? { slug: { $in: deps.tenantSlugs } } : {}, { orderBy: { slug: 'asc' } });
  const gate = new Semaphore(CONCURRENT_ROUNDS);
  const pollers = new Map<string, ImapPoller>();
  for (const tenant of tenants) {
    const imap = tenant.settings.mail?.imap;
    if (!imap) continue;
    let settings;
    try {
      settings = imapConnectionOf(tenant.id, imap);
    } catch (error) {
      log.error({ tenant: tenant.slug, error: (error as Error).message }, 'IMAP settings unusable: this mailbox is not read');
      continue;
    }
    const poller = new ImapPoller({ ...deps.timings, orm: deps.orm, tenantId: tenant.id, settings, receive: deps.receive, logger: deps.logger, gate });
    poller.start();
    pollers.set(tenant.slug, poller);
  }
  log.info({ mailboxes: pollers.size }, 'IMAP pollers started');
  return {
    pollers,
    stop: async () => {
      await Promise.all([...pollers.values()].map((poller) => poller.stop()));
    },
  };
}
