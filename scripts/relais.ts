import { Command } from 'commander';
import { env } from '../domain/env';
import { closeAllORMs, initORM, migrate } from '../domain/orm';
import { importTenantFile, validateTenantConfig } from '../domain/tenant-config/import';
import { InputError } from '../domain/validation';
import fs from 'node:fs/promises';

const program = new Command('relais').description('Relais command line').showHelpAfterError();

program
  .command('tenant:import')
  .description('validate a tenant file against domain/tenant-config/tenant.schema.json and upsert it')
  .argument('<file>', 'tenant configuration (JSON)')
  .action(async (file: string) => {
    const orm = await initORM(requireDatabase());
    await migrate(orm);
    const summary = await importTenantFile(orm, file);
    console.log(`Imported ${summary.slug}: ${summary.departments} departments, ${summary.topics} topics, ${summary.agents} agents.`);
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
  });

function requireDatabase(): string {
  const url = env().DATABASE_URL;
  if (!url) throw new CliError('DATABASE_URL is not set: point it at the database (npm start prints the embedded one).');
  return url;
}

class CliError extends Error {}

program
  .parseAsync()
  .catch((error: unknown) => {
    if (error instanceof InputError) {
      console.error('The file is invalid:');
      for (const e of error.errors) console.error(`  ${e.path || '/'}: ${e.message}`);
    } else if (error instanceof CliError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error((error as Error).message);
    } else if (error instanceof SyntaxError) {
      console.error(`Not valid JSON: ${error.message}`);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  })
  .finally(() => closeAllORMs());
