import type { Command } from 'commander';
import { smscControlClient } from '@/dev/smsc-simulator/control';
import { env } from '@/domain/env';
import { CliError } from './support';

/** `sms:mo`: a handset sends an SMS to the platform through the running SMSC simulator. */
export function registerSmsCommands(program: Command): void {
  program
    .command('sms:mo')
    .description('inject an SMS from a mobile into the development SMSC simulator (npm start runs it)')
    .requiredOption('--from <number>', 'the sending mobile, e.g. 0612345678 or +33612345678')
    .option('--to <number>', "the municipality's SMS number", '36180')
    .argument('<text...>', 'the text of the SMS')
    .action(async (words: string[], options: { from: string; to: string }) => {
      // Outside npm start's environment, the control port npm start uses by default.
      const url = env().SMSC_CONTROL_URL ?? `http://127.0.0.1:${process.env.RELAIS_SMSC_CONTROL_PORT ?? 2776}`;
      const text = words.join(' ');
      try {
        await smscControlClient(url).injectMo({ from: options.from, to: options.to, text });
      } catch (error) {
        throw new CliError(`Could not reach the SMSC simulator at ${url} (is npm start running?): ${(error as Error).message}`);
      }
      console.log(`SMS from ${options.from} to ${options.to} delivered to the worker: "${text}"`);
    });
}
