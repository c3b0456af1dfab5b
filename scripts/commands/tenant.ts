import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { closeAllORMs, initORM, migrate } from '@/domain/orm';
import { importTenantFile, validateTenantConfig } from '@/domain/tenant-config/import';
import { scheduleAfterImport } from './reports';
import { requireDatabase } from './support';

/** `tenant:import`, `tenant:validate` and `db:migrate`. */
export function registerTenantCommands(program: Command): void {
  program
    .command('tenant:import')
    .description('validate a tenant file against domain/tenant-config/tenant.schema.json and upsert it')
    .argument('<file>', 'tenant configuration (JSON)')
    .action(async (file: string) => {
      const orm = await initORM(requireDatabase());
      await migrate(orm);
      const summary = await importTenantFile(orm, file);
      console.log(`Imported ${summary.slug}: ${summary.departments} departments, ${summary.topics} topics, ${summary.agents} agents.`);
      await scheduleAfterImport(summary.slug);
      await closeAllORMs();
    });

  program
    .command('tenant:validate')
    .description('check a tenant file without touching the database')
    .argument('<file>', 'tenant configuration (JSON)')
    .action(async (file: string) => {
      validateTenantConfig(JSON.parse(await fs.readFile(file, 'utf8')));
      console.log(`${file} is a valid tenant configuration.`);
    });

  program
    .command('db:migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const applied = await migrate(await initORM(requireDatabase()));
      console.log(applied.length ? `Applied ${applied.join(', ')}.` : 'The database is up to date.');
      await closeAllORMs();
    });
}
