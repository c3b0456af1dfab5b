import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { InputError } from '@/domain/validation';
import { importTenant, validateTenantConfig, type TenantConfig } from './import';

afterAll(() => closeAllORMs());

const demo = JSON.parse(fs.readFileSync(path.join('domain', 'tenant-config', 'demo-tenant.json'), 'utf8')) as TenantConfig;

function errorsOf(config: unknown) {
  try {
    validateTenantConfig(config);
  } catch (error) {
    if (error instanceof InputError) return error.errors;
    throw error;
  }
  return [];
}

describe('tenant configuration', () => {
  it('accepts the demo tenant file', () => {
    expect(errorsOf(demo)).toEqual([]);
  });

  it('names the path of each mistake, in French', () => {
    const broken = structuredClone(demo);
    broken.topics[1].department = 'inconnu';
    broken.topics[2].delay = 'P0D';
    broken.departments.push({ ...broken.departments[0] });
    broken.agents![0].roles = [{ department: 'nulle-part', role: 'agent' }];
    const errors = errorsOf(broken);
    expect(errors).toContainEqual({ path: '/topics/1/department', message: 'Service inconnu « inconnu » : déclarez-le dans departments.' });
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['/topics/2/delay', `/departments/${demo.departments.length}/slug`, '/agents/0/roles/0/department']));

    const centralised = { ...structuredClone(demo), settings: { organisation: 'centralised' } };
    expect(errorsOf(centralised).map((e) => e.path)).toContain('/settings/receptionDepartment');
    expect(errorsOf({ ...structuredClone(demo), slug: 'Pas Bon' }).map((e) => e.path)).toContain('/slug');
    expect(errorsOf({ ...structuredClone(demo), unexpected: true }).map((e) => e.path)).toContain('/unexpected');
  });

  it('imports idempotently: a second import changes nothing', async () => {
    const orm = await initORM(env().DATABASE_URL!);
    const config = { ...structuredClone(demo), slug: `import-${Date.now()}`, hostnames: [] };
    const first = await importTenant(orm, config);
    const snapshot = async () =>
      query(
        orm.em.fork(),
        `select (select count(*) from department where tenant_id = t.id)::int as departments,
                (select count(*) from topic where tenant_id = t.id)::int as topics,
                (select count(*) from agent where tenant_id = t.id)::int as agents,
                (select count(*) from agent_role ar join agent a on a.id = ar.agent_id where a.tenant_id = t.id)::int as roles,
                (select string_agg(password_hash, ',' order by email) from agent where tenant_id = t.id) as hashes
           from tenant t where t.slug = ?`,
        [config.slug],
      );
    const before = await snapshot();
    const second = await importTenant(orm, config);
    expect(second).toEqual(first);
    expect(await snapshot()).toEqual(before);
    expect(before[0]).toMatchObject({ departments: 5, topics: demo.topics.length, agents: 9, roles: 11 });
    // The data protection officer is declared in the file: a tenant-wide flag, no department role.
    const dpo = await orm.em.fork().getConnection().execute(
      `select a.is_dpo, a.is_admin from agent a join tenant t on t.id = a.tenant_id where t.slug = ? and a.is_dpo`,
      [config.slug],
    );
    expect(dpo).toEqual([{ is_dpo: true, is_admin: false }]);
  });

  it('rejects a bad file from the command line with the path and a non-zero exit, writing nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-cli-'));
    const file = path.join(dir, 'commune.json');
    fs.writeFileSync(file, JSON.stringify({ ...demo, slug: 'cli-test', topics: [{ ...demo.topics[0], department: 'zz' }] }));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/relais.ts', 'tenant:import', file], { encoding: 'utf8', env: process.env });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('/topics/0/department: Service inconnu « zz »');
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
    fs.writeFileSync(file, '{ pas du json');
    const garbage = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/relais.ts', 'tenant:validate', file], { encoding: 'utf8' });
    expect(garbage.status).toBe(1);
    expect(garbage.stderr).toContain('Not valid JSON');
  });
});
