import pg from 'pg';

interface Directory {
  slugs: Set<string>;
  hosts: Map<string, string>;
  origins: Map<string, string[]>;
}

/**
 * Host name → tenant slug (from `tenant.hostnames`) and tenant slug → origins allowed to embed its portal and call
 * its public API (`settings.allowedOrigins`), read together and kept for a minute (the proxy runs on every request).
 */
export function createHostDirectory(databaseUrl: string | undefined, ttlMs = 60_000) {
  // The proxy runs on every request, in its own bundle: one small pool and one cached query, not the ORM.
  const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 2, idleTimeoutMillis: 30_000 }) : undefined;
  let cache: { at: number; directory: Directory } | undefined;
  let loading: Promise<Directory> | undefined;

  async function load(): Promise<Directory> {
    const directory: Directory = { slugs: new Set(), hosts: new Map(), origins: new Map() };
    if (!pool) return directory;
    const { rows } = await pool.query<{ slug: string; hostnames: unknown; origins: unknown }>(`select slug, hostnames, settings -> 'allowedOrigins' as origins from tenant`);
    for (const row of rows) {
      directory.slugs.add(row.slug);
      for (const host of Array.isArray(row.hostnames) ? row.hostnames : []) if (typeof host === 'string') directory.hosts.set(host.toLowerCase(), row.slug);
      const origins = Array.isArray(row.origins) ? row.origins.filter((o): o is string => typeof o === 'string') : [];
      if (origins.length) directory.origins.set(row.slug, origins);
    }
    return directory;
  }

  async function current(refreshAfterMs = ttlMs): Promise<Directory> {
    if (!cache || Date.now() - cache.at > refreshAfterMs) {
      loading ??= load().finally(() => (loading = undefined));
      try {
        cache = { at: Date.now(), directory: await loading };
      } catch {
        // A database hiccup must not take the portal down: keep serving the last known directory (or none).
        cache = { at: Date.now() - ttlMs + 5_000, directory: cache?.directory ?? { slugs: new Set(), hosts: new Map(), origins: new Map() } };
      }
    }
    return cache.directory;
  }

  return {
    /** The tenant slug served on a host (port ignored), or undefined. */
    async tenantFor(host: string | null): Promise<string | undefined> {
      if (!host) return undefined;
      return (await current()).hosts.get(host.toLowerCase().replace(/:\d+$/, ''));
    },
    /** The origins a tenant allows to frame its portal and call its public API from a browser (none by default). */
    async allowedOriginsOf(slug: string): Promise<string[]> {
      let directory = await current();
      // A tenant imported a moment ago is looked up again at once (at most every two seconds), not a minute later.
      if (!directory.slugs.has(slug)) directory = await current(2_000);
      return directory.origins.get(slug) ?? [];
    },
  };
}
