// One IMAP poller per tenant that has a mailbox in settings.mail.imap, for the worker process.
import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Semaphore } from 'async-mutex';
import type { Logger } from 'pino';
import { Tenant } from '@/domain/entities';
import { imapConnectionOf, type ImapSettings } from '@/domain/mail/imap-settings';
import type { ReceiveEmail } from '@/domain/mail/inbound-message';
import { ImapPoller, type ImapPollerOptions } from './imap-poller';

/** What the worker gives the pollers. */
export interface ImapPollersDeps {
  orm: MikroORM;
  receive: ReceiveEmail;
  logger: Logger;
  /** Only these tenants (by slug); every tenant with a mailbox when unset. */
  tenantSlugs?: string[];
  /** How often the tenants' settings are read again to follow added, removed or changed mailboxes (default one minute). */
  refreshIntervalMs?: number;
  /** Timings and limits passed to every poller (e.g. maxMessageBytes: INBOUND_MAIL_MAX_BYTES). */
  timings?: Omit<ImapPollerOptions, 'orm' | 'tenantId' | 'settings' | 'receive' | 'logger' | 'gate'>;
}

/** The running pollers, by tenant slug; stop() ends the refresh and closes them all. */
export interface ImapPollers {
  pollers: Map<string, ImapPoller>;
  /** Reads the settings again now (the interval does it on its own). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

// Each round holds a database connection for its lock: a few at a time leave the pool to the intake.
const CONCURRENT_ROUNDS = 2;

const DEFAULT_REFRESH_MS = 60_000;

/**
 * What identifies a mailbox connection: its poller restarts when this changes. A hash, so the sealed password is
 * compared without being kept beside the pollers; the tenant id is in it as the password's context is.
 */
export function imapFingerprint(tenantId: string, imap: ImapSettings): string {
  const { url, user, password, mailbox, importedFolder, tlsInsecure } = imap;
  const stable = JSON.stringify([tenantId, url, user, password ?? null, mailbox ?? null, importedFolder ?? null, tlsInsecure ?? false]);
  return createHash('sha256').update(stable).digest('hex');
}

/**
 * Starts a poller for each tenant with settings.mail.imap, then reads the settings again at an interval: a new
 * mailbox gets a poller, a removed one has its poller stopped, changed connection settings restart it. A tenant whose
 * settings cannot be used (a password that does not open with RELAIS_ENCRYPTION_KEY) is logged once and skipped.
 */
export async function startImapPollers(deps: ImapPollersDeps): Promise<ImapPollers> {
  const log = deps.logger.child({ component: 'imap' });
  const gate = new Semaphore(CONCURRENT_ROUNDS);
  const pollers = new Map<string, ImapPoller>();
  // The fingerprint each slug's poller (or logged failure) was started from.
  const fingerprints = new Map<string, string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;

  const stopPoller = async (slug: string) => {
    const poller = pollers.get(slug);
    fingerprints.delete(slug);
    if (!poller) return;
    await poller.stop();
    pollers.delete(slug);
  };

  const startPoller = (tenant: Tenant, imap: ImapSettings, fingerprint: string) => {
    fingerprints.set(tenant.slug, fingerprint);
    let settings;
    try {
      settings = imapConnectionOf(tenant.id, imap);
    } catch (error) {
      log.error({ tenant: tenant.slug, error: (error as Error).message }, 'IMAP settings unusable: this mailbox is not read');
      return;
    }
    const poller = new ImapPoller({ ...deps.timings, orm: deps.orm, tenantId: tenant.id, settings, receive: deps.receive, logger: deps.logger, gate });
    poller.start();
    pollers.set(tenant.slug, poller);
  };

  const sync = async () => {
    const filter = deps.tenantSlugs ? { slug: { $in: deps.tenantSlugs } } : {};
    const tenants = await deps.orm.em.fork().find(Tenant, filter, { orderBy: { slug: 'asc' } });
    const wanted = new Map<string, { tenant: Tenant; imap: ImapSettings; fingerprint: string }>();
    for (const tenant of tenants) {
      const imap = tenant.settings.mail?.imap;
      if (imap) wanted.set(tenant.slug, { tenant, imap, fingerprint: imapFingerprint(tenant.id, imap) });
    }
    for (const slug of [...fingerprints.keys()]) {
      if (stopped) return;
      const next = wanted.get(slug);
      if (next?.fingerprint === fingerprints.get(slug)) continue;
      log.info({ tenant: slug }, next ? 'IMAP settings changed: restarting the poller' : 'IMAP settings removed: stopping the poller');
      await stopPoller(slug);
    }
    for (const [slug, { tenant, imap, fingerprint }] of wanted) {
      if (stopped) return;
      if (fingerprints.has(slug)) continue;
      startPoller(tenant, imap, fingerprint);
    }
  };

  // One read at a time: a refresh asked for during another waits for it, then reads again.
  const refresh = (): Promise<void> => {
    const previous = current ?? Promise.resolve();
    const run = previous.then(() => (stopped ? undefined : sync()));
    current = run.catch(() => undefined);
    return run;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      refresh()
        .catch((error: unknown) => log.error({ error: (error as Error).message }, 'IMAP settings could not be read again: retrying at the next interval'))
        .finally(schedule);
    }, deps.refreshIntervalMs ?? DEFAULT_REFRESH_MS);
    timer.unref();
  };

  await refresh();
  log.info({ mailboxes: pollers.size }, 'IMAP pollers started');
  schedule();
  return {
    pollers,
    refresh,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await current;
      await Promise.all([...pollers.keys()].map((slug) => stopPoller(slug)));
    },
  };
}
