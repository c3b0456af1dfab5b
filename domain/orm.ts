import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { checkStoredSecrets } from './secrets/check';

/** MikroORM options for a database URL; migrations are an explicit list, never a folder scan. */
export function ormOptions(clientUrl: string, overrides: Partial<Options> = {}): Options {
  return {
    clientUrl,
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false },
    pool: { min: 0, max: 10 },
    debug: false,
    ...overrides,
  };
}

const instances = new Map<string, Promise<MikroORM>>();

/** One ORM per database URL and process; callers fork an EntityManager per unit of work. */
export function initORM(clientUrl: string): Promise<MikroORM> {
  let orm = instances.get(clientUrl);
  if (!orm) {
    orm = MikroORM.init(ormOptions(clientUrl));
    instances.set(clientUrl, orm);
    orm.catch(() => instances.delete(clientUrl));
  }
  return orm;
}

/** Applies pending migrations and checks that stored secrets open with RELAIS_ENCRYPTION_KEY; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  await checkStoredSecrets(orm.em.fork());
  return applied.map((m) => m.name);
}

/** Closes every ORM this process opened. */
export async function closeAllORMs(): Promise<void> {
  const all = [...instances.values()];
  instances.clear();
  await Promise.all(all.map(async (p) => (await p).close(true)));
}
