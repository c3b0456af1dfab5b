import type { Command } from 'commander';
import { errorLines, readJsonFile } from '@/forms/json-file';
import { checkDefinitionFile } from '@/forms/load';
import { Tenant } from '@/domain/entities';
import { closeAllORMs, initORM, migrate } from '@/domain/orm';
import { checkProcessDefinition, type ProcessContext, type ProcessError } from '@/domain/processes/check';
import { productContext, withForm } from '@/domain/processes/context';
import { processMermaid, processSvg } from '@/domain/processes/diagram';
import type { ProcessDefinition } from '@/domain/processes/definition';
import { contextFor, importProcessDefinition } from '@/domain/processes/store';
import { InputError } from '@/domain/validation';
import { CliError, requireDatabase } from './support';

/** Exit code of a refused definition (1 is any other failure). */
const REFUSED = 2;

function refuse(file: string, errors: readonly ProcessError[]): never {
  throw new CliError(['La définition de processus est refusée :', ...errorLines(file, errors)].join('\n'), REFUSED);
}

/** The definition file, parsed; refused when unreadable or not JSON. */
function readDefinition(file: string): unknown {
  const { json, errors } = readJsonFile(file);
  if (errors.length > 0) refuse(file, errors);
  return json;
}

/** Adds the form given with `--form` (a form definition file) to the context. */
function withFormFile(context: ProcessContext, formFile: string | undefined): ProcessContext {
  if (!formFile) return context;
  const { definition, errors } = checkDefinitionFile(formFile);
  if (!definition) throw new CliError(['Le formulaire donné avec --form est invalide :', ...errorLines(formFile, errors)].join('\n'), REFUSED);
  return withForm(context, definition);
}

/** The id of the municipality named with `--tenant`; null without. Only an import migrates the database. */
async function tenantIdOf(slug: string | undefined, options: { migrate: boolean }): Promise<string | null> {
  if (!slug) return null;
  const orm = await initORM(requireDatabase());
  if (options.migrate) await migrate(orm);
  const tenant = await orm.em.fork().getRepository(Tenant).findBySlug(slug);
  if (!tenant) throw new CliError(`Commune inconnue : ${slug}`);
  return tenant.id;
}

interface ProcessOptions {
  tenant?: string;
  form?: string;
}

/** `process:validate` and `process:import`: the process designer's commands. */
export function registerProcessCommands(program: Command): void {
  program
    .command('process:validate')
    .description('check a process definition (JSON) against domain/processes/definition.schema.json and its semantic rules')
    .argument('<file>', 'process definition (JSON)')
    .option('-t, --tenant <slug>', "also check the names it uses against one municipality's departments and templates (needs DATABASE_URL)")
    .option('-f, --form <file>', 'also check its expressions against the fields of a form definition (JSON)')
    .action(async (file: string, options: ProcessOptions) => {
      const json = readDefinition(file);
      const tenantId = await tenantIdOf(options.tenant, { migrate: false });
      const base = tenantId ? await contextFor((await initORM(requireDatabase())).em.fork(), tenantId) : productContext();
      const { definition, errors } = checkProcessDefinition(json, withFormFile(base, options.form));
      if (!definition) refuse(file, errors);
      const scope = options.tenant ? ` pour ${options.tenant}` : '';
      console.log(`${file} est une définition de processus valide${scope} (« ${definition.slug} », ${definition.steps.length} étapes).`);
      await closeAllORMs();
    });

  program
    .command('process:import')
    .description('validate a process definition and store it as a new version when its content changed')
    .argument('<file>', 'process definition (JSON)')
    .option('-t, --tenant <slug>', 'store it for one municipality only (default: for every municipality)')
    .action(async (file: string, options: ProcessOptions) => {
      const json = readDefinition(file);
      // The format first, without a database: a broken file is refused even where none is reachable.
      const format = checkProcessDefinition(json, {});
      if (!format.definition) refuse(file, format.errors);
      const tenantId = await tenantIdOf(options.tenant, { migrate: true });
      const orm = await initORM(requireDatabase());
      await migrate(orm);
      let result;
      try {
        result = await importProcessDefinition(orm.em.fork(), json as ProcessDefinition, { tenantId });
      } catch (error) {
        if (error instanceof InputError) refuse(file, error.errors);
        throw error;
      }
      const scope = options.tenant ? `pour ${options.tenant}` : 'pour toutes les communes';
      console.log(
        result.created
          ? `${result.slug} : version ${result.version} enregistrée ${scope}${result.previousVersion ? ` (remplace la version ${result.previousVersion} pour les nouvelles demandes ; les demandes en cours gardent la leur)` : ''}.`
          : `${result.slug} : inchangé, la version ${result.version} reste en vigueur ${scope}.`,
      );
      await closeAllORMs();
    });

  program
    .command('process:diagram')
    .description('draw a process definition: SVG (default) or Mermaid text, on standard output')
    .argument('<file>', 'process definition (JSON)')
    .option('--mermaid', 'write a Mermaid flowchart instead of SVG')
    .action((file: string, options: { mermaid?: boolean }) => {
      const { definition, errors } = checkProcessDefinition(readDefinition(file), {});
      if (!definition) refuse(file, errors);
      process.stdout.write(options.mermaid ? processMermaid(definition) : `${processSvg(definition)}\n`);
    });
}
