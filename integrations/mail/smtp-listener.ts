// Relais's own SMTP listener: the municipalities' forwarded mail and MX traffic, stored for the mail intake.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { MailEnvelope } from '@/domain/mail/inbound-message';

/** What the listener needs. */
export interface SmtpListenerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** The name in the greeting and in Authentication-Results. */
  hostname: string;
  /** Announced in EHLO (SIZE) and enforced at DATA (552). */
  maxBytes: number;
  /** True when mail to this address is received; unknown recipients are refused at RCPT with 550. */
  acceptsRecipient: (address: string) => Promise<boolean>;
  /**
   * Stores an accepted message durably (the inbound spool) and returns its queue id; the intake files it afterwards.
   * Throws when it cannot store it: the sender is told to retry.
   */
  accept: (raw: Buffer, envelope: MailEnvelope) => Promise<string>;
  /** PEM certificate and key: STARTTLS is offered only with them. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Simultaneous connections (default 100). */
  maxClients?: number;
  log?: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

/** A running listener. */
export interface SmtpListener {
  port: number;
  stop(): Promise<void>;
}

/** An error carrying its SMTP reply code; smtp-server puts the enhanced status code (RFC 3463) before the text. */
function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/** Starts the listener; resolves once it accepts connections. */
export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const log = options.log;
  const server = new SMTPServer({
    name: options.hostname,
    banner: 'Relais',
    authOptional: true,
    // No submission here: this is a mail exchanger, open to every sender and closed to unknown recipients.
    disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    size: options.maxBytes,
    rejectOversized: true,
    hideENHANCEDSTATUSCODES: false,
    maxClients: options.maxClients ?? 100,
    logger: false,
    onRcptTo(address, _session, callback) {
      options.acceptsRecipient(address.address).then(
        (accepted) => callback(accepted ? undefined : smtpError(550, `Unknown recipient ${address.address}`)),
        (error: unknown) => {
          log?.warn({ err: error }, 'inbound recipient check failed');
          callback(smtpError(451, 'Temporary failure, retry later'));
        },
      );
    },
    onData(stream, session, callback) {
      collect(stream, options.maxBytes).then(
        async (raw) => {
          // Over the limit: rejectOversized answers 552 whatever this callback says.
          if (!raw) return callback(null);
          try {
            const queueId = await options.accept(raw, envelopeOf(session));
            log?.info({ queueId, bytes: raw.length }, 'inbound e-mail queued');
            // Stored: the message is the town hall's now. What the intake makes of it (even a refusal) is recorded there.
            callback(null, `Queued as ${queueId}`);
          } catch (error) {
            log?.warn({ err: error }, 'inbound e-mail not stored; the sender will retry');
            callback(smtpError(451, 'Temporary failure, retry later'));
          }
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  // A client that misbehaves (reset, TLS garbage) reaches here; it must never stop the process.
  server.on('error', (error) => log?.warn({ err: error }, 'SMTP listener connection error'));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once('error', onError);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The message's bytes, or undefined once it is over the limit (the rest is read and dropped). */
function collect(stream: SMTPServerDataStream, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    stream.once('error', reject);
    stream.once('end', () => resolve(stream.sizeExceeded || size > maxBytes ? undefined : Buffer.concat(chunks, size)));
  });
}

function envelopeOf(session: SMTPServerSession): MailEnvelope {
  const mailFrom = session.envelope.mailFrom;
  return {
    source: 'smtp',
    mailFrom: mailFrom && mailFrom.address ? mailFrom.address.toLowerCase() : null,
    rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
    remoteAddress: session.remoteAddress,
    helo: session.hostNameAppearsAs,
  };
}
