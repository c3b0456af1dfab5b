// The SMTP listener's own thread: checks recipients and stores accepted messages in the inbound spool, nothing else.
// Filing (parsing, SPF/DKIM/DMARC, the intake, workflows) runs on the worker's main thread; on a thread of its own the
// listener answers 250 without waiting behind that work.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { createMailTokens } from '@/domain/mail/addresses';
import { createRecipientResolver } from '@/domain/mail/recipients';
import { createSpoolWriter } from '@/domain/mail/spool';
import { initORM } from '@/domain/orm';
import { startSmtpListener } from '@/integrations/mail/smtp-listener';

/** What the worker hands the listener thread. */
export interface ListenerThreadData {
  databaseUrl: string;
  port: number;
  host?: string;
  /** INBOUND_MAIL_DOMAIN: the greeting's name, and the domain of Relais's own addresses. */
  domain: string;
  /** RELAIS_SECRET: reply and bounce addresses are recognised by their signature. */
  secret: string;
  maxBytes: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  logLevel: string;
}

/** Messages from the listener thread to the worker. */
export type ListenerThreadMessage = { type: 'listening'; port: number } | { type: 'queued'; id: string } | { type: 'stopped' };

async function main(): Promise<void> {
  const port = parentPort!;
  const data = workerData as ListenerThreadData;
  const log = pino({ name: 'smtp-in', level: data.logLevel });
  const orm = await initORM(data.databaseUrl);
  const recipients = createRecipientResolver({ orm, tokens: createMailTokens(data.secret, data.domain) });
  const spoolWriter = createSpoolWriter(orm);
  const post = (message: ListenerThreadMessage) => port.postMessage(message);
  const listener = await startSmtpListener({
    port: data.port,
    host: data.host,
    hostname: data.domain,
    maxBytes: data.maxBytes,
    tls: data.tls,
    acceptsRecipient: recipients.accepts,
    accept: async (raw, envelope) => {
      const id = await spoolWriter.spool(raw, envelope);
      post({ type: 'queued', id });
      return id;
    },
    log: { info: (fields, message) => log.debug(fields, message), warn: (fields, message) => log.warn(fields, message) },
  });
  port.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    void (async () => {
      await listener.stop();
      await orm.close();
      post({ type: 'stopped' });
      port.close();
    })();
  });
  post({ type: 'listening', port: listener.port });
}

void main();
