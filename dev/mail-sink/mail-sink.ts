import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { sendToListener, SmtpRefusal, type ListenerAddress } from './to-listener';

/** A message as the sink keeps it. */
export interface SinkMessage {
  id: string;
  receivedAt: string;
  envelopeFrom: string;
  envelopeTo: string[];
  messageId?: string;
  from?: string;
  to?: string;
  subject?: string;
  text?: string;
  html?: string;
  headers: Record<string, string>;
  /** Files attached, without their bytes. */
  attachments?: Array<{ filename?: string; contentType: string; size: number }>;
}

/** A running development mail sink: an SMTP server that keeps everything, with a JSON API. */
export interface MailSink {
  smtpPort: number;
  httpPort: number;
  url: string;
  messages(): SinkMessage[];
  clear(): Promise<void>;
  stop(): Promise<void>;
}

/** Where and how the sink listens. */
export interface MailSinkOptions {
  dir: string;
  smtpPort: number;
  httpPort: number;
  host?: string;
  /**
   * Mail for Relais's inbound domain (a citizen answering an e-mail from the sink) goes on to the inbound listener, so
   * a demo reply reaches its request; the sink keeps a copy as well.
   */
  inbound?: { domain: string; listener: ListenerAddress };
}

/** Starts the SMTP sink; messages survive restarts as JSON files in dir. */
export async function startMailSink(options: MailSinkOptions): Promise<MailSink> {
  const { dir, host = '127.0.0.1' } = options;
  await fs.mkdir(dir, { recursive: true });
  const store = await loadMessages(dir);

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 25 * 1024 * 1024,
    onData(stream, session, callback) {
      readAll(stream)
        .then(async (raw) => {
          const parsed = await simpleParser(raw);
          const message: SinkMessage = {
            id: randomUUID(),
            receivedAt: new Date().toISOString(),
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            messageId: parsed.messageId,
            from: parsed.from?.text,
            to: Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : parsed.to?.text,
            subject: parsed.subject,
            text: parsed.text,
            html: typeof parsed.html === 'string' ? parsed.html : undefined,
            headers: Object.fromEntries(parsed.headerLines.map((h) => [h.key, h.line.slice(h.key.length + 1).trim()])),
            attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
          };
          store.push(message);
          await fs.writeFile(path.join(dir, `${message.receivedAt.replace(/[:.]/g, '-')}-${message.id}.json`), JSON.stringify(message));
          await relayInbound(message, raw);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  // A client that dies mid-session (a worker killed while sending) resets its connection: that ends the session, not the sink.
  smtp.on('error', () => undefined);

  // The listener's refusal (550 unknown recipient…) is the sender's answer, as if it had connected to the listener itself.
  async function relayInbound(message: SinkMessage, raw: Buffer): Promise<void> {
    const inbound = options.inbound;
    if (!inbound) return;
    const suffix = `@${inbound.domain.toLowerCase()}`;
    const to = message.envelopeTo.filter((address) => address.toLowerCase().endsWith(suffix));
    if (!to.length) return;
    try {
      await sendToListener(inbound.listener, { envelope: { from: message.envelopeFrom, to }, raw });
    } catch (error) {
      const relayed = new Error(error instanceof SmtpRefusal ? error.response.replace(/^\d{3}[ -]/, '') : `Inbound listener unreachable: ${(error as Error).message}`, { cause: error });
      Object.assign(relayed, { responseCode: error instanceof SmtpRefusal ? error.responseCode : 451 });
      throw relayed;
    }
  }

  const api = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    if (req.method === 'GET' && url.pathname === '/messages') {
      const to = url.searchParams.get('to');
      const list = to ? store.filter((m) => m.envelopeTo.includes(to.toLowerCase()) || m.envelopeTo.includes(to)) : store;
      return sendJson(res, 200, list);
    }
    if (req.method === 'DELETE' && url.pathname === '/messages') {
      clear().then(() => sendJson(res, 204, null));
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  });

  async function clear(): Promise<void> {
    store.length = 0;
    for (const file of await fs.readdir(dir)) if (file.endsWith('.json')) await fs.rm(path.join(dir, file));
  }

  await listen(smtp.server, options.smtpPort, host);
  await listen(api, options.httpPort, host);
  const smtpPort = (smtp.server.address() as { port: number }).port;
  const httpPort = (api.address() as { port: number }).port;
  return {
    smtpPort,
    httpPort,
    url: `http://${host}:${httpPort}`,
    messages: () => [...store],
    clear,
    stop: async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => api.close(() => resolve()));
    },
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function loadMessages(dir: string): Promise<SinkMessage[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (f) => JSON.parse(await fs.readFile(path.join(dir, f), 'utf8')) as SinkMessage));
}

function listen(server: http.Server | import('node:net').Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body === null ? undefined : JSON.stringify(body));
}
