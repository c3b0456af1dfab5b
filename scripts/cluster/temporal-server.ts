import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { assertPortFree, freePort, isPortFree } from '@/dev/ports';
import { startServerProcess } from './server-process';
import { stopChild, waitForPort } from '@/dev/temporal-dev-server';
import { TEMPORAL_DYNAMIC_CONFIG_FILE } from '@/dev/temporal-dynamic-config';
import type { TemporalServerBinaries } from '@/temporal/server';

const exec = promisify(execFile);

/** Temporal's own databases on Relais's PostgreSQL server, named as docker-compose.yml names them. */
export const TEMPORAL_DATABASES = { persistence: 'temporal', visibility: 'temporal_visibility' } as const;
/** How long the cluster keeps a closed workflow's history, as docker-compose.yml's setup job says. */
export const NAMESPACE_RETENTION = '30d';

/** The server's ports, from its frontend's gRPC port: its services' gRPC and membership ports, and their HTTP ones. */
const SERVER_PORT_OFFSETS = [0, 1, 2, 6, 10, -300, -299, -298, -294];
const LOWEST_OFFSET = Math.min(...SERVER_PORT_OFFSETS);
const HIGHEST_OFFSET = Math.max(...SERVER_PORT_OFFSETS);
/** Temporal's SQL schema keeps membership ports in a smallint. */
const MAX_MEMBERSHIP_PORT = 32_767;

/** A frontend port for a server of tests and benches: every port it needs is free and within the schema's range. */
export async function freeClusterPort(): Promise<number> {
  for (let port = 20_000; port + HIGHEST_OFFSET <= MAX_MEMBERSHIP_PORT; port += 20) {
    const free = await Promise.all(SERVER_PORT_OFFSETS.map((offset) => isPortFree(port + offset)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`No free range of ports below ${MAX_MEMBERSHIP_PORT} for a Temporal server`);
}

/** Options of the Temporal server of the cluster topology. */
export interface TemporalClusterOptions {
  binaries: TemporalServerBinaries;
  /** The Temporal CLI, which registers the namespace and the search attributes. */
  cli: string;
  /** Relais's PostgreSQL server: Temporal gets two databases of its own there (TEMPORAL_DATABASES). */
  databaseUrl: string;
  /** Where the server's configuration and log go. */
  root: string;
  /** The frontend's gRPC port, the only one clients use. */
  port: number;
  /** The server's Prometheus endpoint. */
  metricsPort?: number;
  namespace: string;
  keywordAttributes: readonly string[];
  log: (line: string) => void;
}

/** A running Temporal server. */
export interface TemporalCluster {
  address: string;
  metricsUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a Temporal server on PostgreSQL persistence and SQL visibility: creates or upgrades its two databases with the
 * server's own schema tool, writes its configuration, starts it, then registers the namespace and search attributes.
 */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  // The server records its services' ports in cluster_membership as a smallint: a port above 32767 stops it at start.
  const highest = options.port + HIGHEST_OFFSET;
  if (options.port + LOWEST_OFFSET < 1 || highest > MAX_MEMBERSHIP_PORT) {
    throw new Error(`RELAIS_TEMPORAL_PORT ${options.port} is out of range: the Temporal server's ports run from it to ${highest}, and must stay at or below ${MAX_MEMBERSHIP_PORT}.`);
  }
  for (const offset of SERVER_PORT_OFFSETS) await assertPortFree(options.port + offset, 'the Temporal server', 'RELAIS_TEMPORAL_PORT');
  const pg = new URL(options.databaseUrl);
  await setupSchemas(options.binaries.sqlTool, pg, options.log);
  const metricsPort = options.metricsPort ?? (await freePort());
  const configDir = path.join(options.root, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  // JSON is YAML: the server reads this file with its YAML parser, and no template is needed.
  fs.writeFileSync(path.join(configDir, 'relais.yaml'), JSON.stringify(serverConfig(pg, options.port, metricsPort), null, 2));

  const address = `127.0.0.1:${options.port}`;
  const child = await startServerProcess({
    name: 'Temporal server',
    command: options.binaries.server,
    args: ['--root', options.root, '--config', 'config', '--env', 'relais', '--allow-no-auth', 'start'],
    logFile: path.join(options.root, 'server.log'),
    env: { ...process.env, PGPASSWORD: decodeURIComponent(pg.password) },
    ready: async () => {
      await waitForPort(options.port, 120_000);
      await registerNamespace(options, address);
    },
  });
  return { address, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, process: child, stop: () => stopChild(child, 15_000) };
}

/** Creates each database on first use (an existing one is kept), then brings its schema to the server's version. */
async function setupSchemas(sqlTool: string, pg: URL, log: (line: string) => void): Promise<void> {
  const connection = ['--plugin', 'postgres12', '--endpoint', pg.hostname, '--port', pg.port || '5432', '--user', decodeURIComponent(pg.username)];
  const env = { ...process.env, SQL_PASSWORD: decodeURIComponent(pg.password) };
  for (const [store, database] of Object.entries(TEMPORAL_DATABASES)) {
    const tool = (...args: string[]) => exec(sqlTool, [...connection, '--database', database, ...args], { env });
    await tool('create-database').catch((error: { stderr?: string }) => {
      if (!/already exists/.test(error.stderr ?? '')) throw error;
    });
    // Versioning tables only, and idempotent: the schema itself comes from the versioned scripts embedded in the tool.
    await tool('setup-schema', '--version', '0.0');
    await tool('update-schema', '--schema-name', `postgresql/v12/${store === 'persistence' ? 'temporal' : 'visibility'}`);
    log(`Temporal ${store} schema ready in database ${database}`);
  }
}

function serverConfig(pg: URL, port: number, metricsPort: number) {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${pg.hostname}:${pg.port || '5432'}`,
      connectProtocol: 'tcp',
      user: decodeURIComponent(pg.username),
      password: decodeURIComponent(pg.password),
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  // Temporal's own layout from the frontend's port (7233: history 7234, matching 7235, worker 7239, membership 6933…):
  // membership ports are stored as smallint, so no port from the ephemeral range.
  const service = (offset: number) => ({ rpc: { grpcPort: port + offset, membershipPort: port - 300 + offset, bindOnLocalHost: true } });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: { 'postgres-default': store(TEMPORAL_DATABASES.persistence, 20), 'postgres-visibility': store(TEMPORAL_DATABASES.visibility, 4) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${metricsPort}` } },
    },
    services: {
      frontend: { rpc: { ...service(0).rpc, httpPort: port + 10 } },
      history: service(1),
      matching: service(2),
      worker: service(6),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${port}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: TEMPORAL_DYNAMIC_CONFIG_FILE, pollInterval: '60s' },
  };
}

/** The namespace and the keyword search attributes, each created once; retried while the new server settles. */
async function registerNamespace(options: TemporalClusterOptions, address: string): Promise<void> {
  const temporal = (...args: string[]) => exec(options.cli, ['operator', ...args, '--address', address, '--namespace', options.namespace]);
  await retry(() => temporal('cluster', 'health'));
  await temporal('namespace', 'describe').catch(() => temporal('namespace', 'create', '--retention', NAMESPACE_RETENTION));
  // A namespace just created reaches every frontend cache within seconds: until then its attributes cannot be written.
  await retry(async () => {
    const { stdout } = await temporal('search-attribute', 'list', '--output', 'json');
    const existing = new Set(Object.keys((JSON.parse(stdout) as { customAttributes?: Record<string, string> }).customAttributes ?? {}));
    for (const name of options.keywordAttributes) {
      if (!existing.has(name)) await temporal('search-attribute', 'create', '--name', name, '--type', 'Keyword');
    }
  });
  options.log(`Temporal namespace ${options.namespace} ready with ${options.keywordAttributes.length} search attributes`);
}

async function retry(work: () => Promise<unknown>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await work();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
