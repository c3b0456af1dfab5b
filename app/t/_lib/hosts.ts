import pg from 'pg';

/** Host name → tenant slug, read from `tenant.hostnames` and kept for a minute (the proxy runs on every page request). */
export function createHostDirectory(databaseUrl: string | undefined, ttlMs = 60_000) {
  const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 2, idleTimeoutMillis: 30_000 }) : undefined;
  let cache: { at: number; map: Map<string, string> } | undefined;
  let loading: Promise<Map<string, string>> | undefined;

  async function load(): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    if (!pool) return map;
    const { rows } = await pool.query<{ slug: string; hostnames: unknown }>('select slug, hostnames from tenant');
    for (const row of rows) for (const host of Array.isArray(row.hostnames) ? row.hostnames : []) if (typeof host === 'string') map.set(host.toLowerCase(), row.slug);
    return map;
  }

  return {
    /** The tenant slug served on a host (port ignored), or undefined. */
    async tenantFor(host: string | null): Promise<string | undefined> {
      if (!host) return undefined;
      const name = host.toLowerCase().replace(/:\d+$/, '');
      if (!cache || Date.now() - cache.at > ttlMs) {
        loading ??= load().finally(() => (loading = undefined));
        try {
          cache = { at: Date.now(), map: await loading };
        } catch {
          // A database hiccup must not take the portal down: keep serving the last known map (or none).
          cache = { at: Date.now() - ttlMs + 5_000, map: cache?.map ?? new Map() };
        }
      }
      return cache.map.get(name);
    },
  };
}
