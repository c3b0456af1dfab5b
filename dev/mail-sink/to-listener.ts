// Hands one e-mail to Relais's inbound SMTP listener, as a citizen's mail server would: the development form, the
// `relais mail:send` command, the mail sink's relay and the mail bench use it.
import nodemailer from 'nodemailer';

/** Where the inbound listener runs. */
export interface ListenerAddress {
  host: string;
  port: number;
}

/** A message written as a citizen would: addresses, subject and text. */
export interface CitizenMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  headers?: Record<string, string>;
}

/** A message already in RFC 5322 form, with its SMTP envelope (the sink's relay). */
export interface RawMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

/** The listener answered with an error code (550 unknown recipient, 552 too large…): its reply is the message. */
export class SmtpRefusal extends Error {
  override name = 'SmtpRefusal';
  constructor(
    readonly responseCode: number,
    readonly response: string,
    readonly command?: string,
    options?: ErrorOptions,
  ) {
    super(`${command ? `${command}: ` : ''}${response}`, options);
  }
}

/** Nothing listens there, or the connection broke before a reply. */
export class ListenerUnreachable extends Error {
  override name = 'ListenerUnreachable';
}

/** The listener's reply to an accepted message, e.g. `250 OK: message queued`. */
export interface ListenerReply {
  response: string;
  messageId: string;
}

const TIMEOUT_MS = 10_000;

/** One SMTP session per call: connect, send, quit. */
export async function sendToListener(listener: ListenerAddress, mail: CitizenMail | RawMail): Promise<ListenerReply> {
  const transport = listenerTransport(listener);
  try {
    return await sendWith(transport, mail);
  } finally {
    transport.close();
  }
}

/** A transport to the listener; `pool` keeps up to that many connections open for many messages (the bench). */
export function listenerTransport(listener: ListenerAddress, pool?: { maxConnections: number }) {
  return nodemailer.createTransport({
    host: listener.host,
    port: listener.port,
    secure: false,
    // The development listener has no certificate; a configured one offers STARTTLS, which plain text here skips.
    ignoreTLS: true,
    name: 'relais-dev.localhost',
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: 60_000,
    ...(pool ? { pool: true, maxConnections: pool.maxConnections, maxMessages: Infinity } : {}),
  });
}

/** Sends one message on a transport; an SMTP error becomes SmtpRefusal, a network error ListenerUnreachable. */
export async function sendWith(transport: ReturnType<typeof listenerTransport>, mail: CitizenMail | RawMail): Promise<ListenerReply> {
  const options = 'raw' in mail ? { envelope: mail.envelope, raw: mail.raw } : { from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, headers: mail.headers };
  try {
    const info = await transport.sendMail(options);
    return { response: info.response, messageId: info.messageId };
  } catch (error) {
    const smtp = error as { responseCode?: number; response?: string; command?: string; message?: string };
    if (typeof smtp.responseCode === 'number' && smtp.responseCode >= 400) {
      throw new SmtpRefusal(smtp.responseCode, smtp.response ?? String(smtp.responseCode), smtp.command, { cause: error });
    }
    throw new ListenerUnreachable(`No inbound SMTP listener answered at ${describe(transport)}: ${smtp.message ?? String(error)}`, { cause: error });
  }
}

function describe(transport: ReturnType<typeof listenerTransport>): string {
  const options = transport.options as { host?: string; port?: number };
  return `${options.host}:${options.port}`;
}
