import type { Command } from 'commander';
import { formValidateCommand } from '@/forms/cli';
import { checkDefinitionFile } from '@/forms/load';
import { Tenant } from '@/domain/entities';
import { importFormDefinition } from '@/domain/forms/store';
import { ensureShippedProcesses } from '@/domain/processes/store';
import { closeAllORMs, initORM, migrate } from '@/domain/orm';
import { CliError, requireDatabase } from './support';

/** `form:validate` and `form:import`: the process designer's commands. */
export function registerFormCommands(program: Command): void {
  program
    .command('form:validate')
    .description('check a form definition (JSON) against forms/definition.schema.json and its semantic rules')
    .argument('<file>', 'form definition (JSON)')
    .action((file: string) => {
      const outcome = formValidateCommand(file);
      if (!outcome.ok) throw new CliError(outcome.errors.join('\n'));
      console.log(`${file} est une définition de formulaire valide.`);
    });

  program
    .command('form:import')
    .description('validate a form definition and store it as a new version when its content changed')
    .argument('<file>', 'form definition (JSON)')
    .option('-t, --tenant <slug>', 'store it for one municipality only (default: for every municipality)')
    .action(async (file: string, options: { tenant?: string }) => {
      const { definition, errors } = checkDefinitionFile(file);
      if (!definition) throw new CliError(formValidateCommand(file).errors.join('\n') || errors.map((e) => `${file} ${e.path} : ${e.message}`).join('\n'));
      const orm = await initORM(requireDatabase());
      await migrate(orm);
      // The form may name a shipped process.
      await ensureShippedProcesses(orm);
      const tenantId = options.tenant ? (await orm.em.fork().getRepository(Tenant).getBySlug(options.tenant).catch(() => {
        throw new CliError(`Commune inconnue : ${options.tenant}`);
      })).id : null;
      const result = await importFormDefinition(orm.em.fork(), definition, tenantId);
      const scope = options.tenant ? `pour ${options.tenant}` : 'pour toutes les communes';
      console.log(
        result.created
          ? `${result.slug} : version ${result.version} enregistrée ${scope}${result.previousVersion ? ` (remplace la version ${result.previousVersion} pour les nouvelles demandes)` : ''}.`
          : `${result.slug} : inchangé, la version ${result.version} reste en vigueur ${scope}.`,
      );
      await closeAllORMs();
    });
}
