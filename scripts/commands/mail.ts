import type { Command } from 'commander';
import { ListenerUnreachable, SmtpRefusal, sendToListener } from '@/dev/mail-sink/to-listener';
import { env } from '@/domain/env';
import { CliError } from './support';

/** `mail:send`: a citizen's e-mail, body on stdin, to Relais's inbound SMTP listener. */
export function registerMailCommands(program: Command): void {
  program
    .command('mail:send')
    .description("send an e-mail, its text read from stdin, to Relais's inbound SMTP listener (npm start runs it on 2525)")
    .requiredOption('--from <address>', "the citizen's address, e.g. jeanne@exemple.fr")
    .option('--to <address...>', "the municipality's address (default: demo@INBOUND_MAIL_DOMAIN)")
    .option('--subject <text>', 'the subject', '')
    .option('--host <host>', 'the listener host (default: RELAIS_INBOUND_SMTP_HOST or 127.0.0.1)')
    .option('--port <port>', 'the listener port (default: RELAIS_INBOUND_SMTP_PORT or 2525)')
    .action(async (options: { from: string; to?: string[]; subject: string; host?: string; port?: string }) => {
      const listener = listenerOf(options);
      const to = options.to?.length ? options.to : [`demo@${env().INBOUND_MAIL_DOMAIN}`];
      for (const address of [options.from, ...to]) {
        if (!/^[^\s@<>]+@[^\s@<>]+$/.test(address)) throw new CliError(`Not an e-mail address: "${address}"`);
      }
      if (process.stdin.isTTY) console.error('Reading the body from stdin (end with Ctrl-D)…');
      const text = await readStdin();
      try {
        const reply = await sendToListener(listener, { from: options.from, to, subject: options.subject, text });
        console.log(reply.response);
      } catch (error) {
        if (error instanceof SmtpRefusal) throw new CliError(`The listener refused the message${error.command ? ` at ${error.command}` : ''}: ${error.response}`);
        if (error instanceof ListenerUnreachable) throw new CliError(`${error.message} (is npm start running?)`);
        throw error;
      }
    });
}

function listenerOf(options: { host?: string; port?: string }): { host: string; port: number } {
  const host = options.host ?? process.env.RELAIS_INBOUND_SMTP_HOST ?? '127.0.0.1';
  const raw = options.port ?? process.env.RELAIS_INBOUND_SMTP_PORT ?? '2525';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`Not a port number: "${raw}" (--port or RELAIS_INBOUND_SMTP_PORT)`);
  return { host, port };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
