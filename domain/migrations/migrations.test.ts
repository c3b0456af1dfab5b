import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';

afterAll(() => closeAllORMs());

describe('migrations', () => {
  // That they produce exactly the entities' schema is domain/entities/schema.test.ts.
  it('leave nothing pending', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
  });
});
