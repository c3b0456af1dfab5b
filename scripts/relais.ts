import { Command } from 'commander';
import { closeAllORMs } from '@/domain/orm';
import { InputError } from '@/domain/validation';
import { CliError, loadCliEnvironment } from './commands/support';
import { registerTenantCommands } from './commands/tenant';
import { registerSmsCommands } from './commands/sms';
import { registerMailCommands } from './commands/mail';
import { registerFormCommands } from './commands/forms';
import { registerProcessCommands } from './commands/processes';
import { registerReportCommands } from './commands/reports';

try {
  loadCliEnvironment();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const program = new Command('relais').description('Relais command line').showHelpAfterError();
registerTenantCommands(program);
registerSmsCommands(program);
registerMailCommands(program);
registerFormCommands(program);
registerProcessCommands(program);
registerReportCommands(program);

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
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  })
  .finally(() => closeAllORMs());
