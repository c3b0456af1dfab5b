import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailEnvelope } from '@/domain/mail/inbound-message';
import { startSmtpListener, type SmtpListener, type SmtpListenerOptions } from './smtp-listener';

const received: Array<{ raw: Buffer; envelope: MailEnvelope }> = [];
let failNext = false;

function listen(extra: Partial<SmtpListenerOptions> = {}): Promise<SmtpListener> {
  return startSmtpListener({
    port: 0,
    host: '127.0.0.1',
    hostname: 'relais.localhost',
    maxBytes: 64 * 1024,
    acceptsRecipient: async (address) => address.endsWith('@relais.localhost') && !address.startsWith('inconnu'),
    accept: async (raw, envelope) => {
      if (failNext) {
        failNext = false;
        throw new Error('database unreachable');
      }
      received.push({ raw, envelope });
      return `spool-${received.length}`;
    },
    ...extra,
  });
}

function transport(port: number, options: { ignoreTLS?: boolean; requireTLS?: boolean } = {}) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, tls: { rejectUnauthorized: false }, ...options });
}

/** The server's replies to a raw SMTP dialogue, one command after the other. */
async function dialogue(port: number, commands: string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  const replies: string[] = [];
  let buffer = '';
  const nextReply = () =>
    new Promise<string>((resolve) => {
      const tryRead = () => {
        // A reply ends with a line whose code is followed by a space.
        const match = /(?:^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(buffer);
        if (!match) return false;
        const end = match.index + match[0].length;
        const reply = buffer.slice(0, end);
        buffer = buffer.slice(end);
        resolve(reply);
        return true;
      };
      if (tryRead()) return;
      const onData = (chunk: Buffer) => {
        buffer += chunk.toString();
        if (tryRead()) socket.off('data', onData);
      };
      socket.on('data', onData);
    });
  replies.push(await nextReply());
  for (const command of commands) {
    socket.write(`${command}\r\n`);
    replies.push(await nextReply());
  }
  socket.destroy();
  return replies;
}

describe('SMTP listener', () => {
  let plain: SmtpListener;
  beforeAll(async () => {
    plain = await listen();
  });
  afterAll(async () => {
    await plain.stop();
  });

  it('hands the raw message and its envelope to the spool, and names its queue id in the 250 reply', async () => {
    const info = await transport(plain.port).sendMail({
      envelope: { from: 'Citoyen@Exemple.fr', to: ['Demo@relais.localhost'] },
      from: 'citoyen@exemple.fr',
      to: 'demo@relais.localhost',
      subject: 'Bonjour',
      text: 'Un message.',
    });
    const last = received.at(-1)!;
    expect(info.response).toBe(`250 2.6.0 Queued as spool-${received.length}`);
    expect(last.raw.toString()).toContain('Un message.');
    expect(last.envelope).toMatchObject({ source: 'smtp', mailFrom: 'citoyen@exemple.fr', rcptTo: ['demo@relais.localhost'], remoteAddress: expect.stringContaining('127.0.0.1') });
  });

  it('refuses an unknown recipient at RCPT with 550 5.1.1', async () => {
    const error = await transport(plain.port)
      .sendMail({ from: 'citoyen@exemple.fr', to: 'inconnu@relais.localhost', subject: 'x', text: 'x' })
      .catch((e: { responseCode?: number; response?: string }) => e);
    expect(error).toMatchObject({ responseCode: 550 });
    expect((error as { response: string }).response).toMatch(/^550 5\.1\.1 Unknown recipient /);
  });

  it('announces its size limit and refuses a larger message at DATA with 552', async () => {
    const [, ehlo] = await dialogue(plain.port, ['EHLO client.test']);
    expect(ehlo).toContain(`SIZE ${64 * 1024}`);
    expect(ehlo).not.toContain('STARTTLS');
    expect(ehlo).not.toContain('AUTH');
    const before = received.length;
    const error = await transport(plain.port)
      .sendMail({ from: 'citoyen@exemple.fr', to: 'demo@relais.localhost', subject: 'Trop gros', text: 'x'.repeat(100 * 1024) })
      .catch((e: { responseCode?: number }) => e);
    expect(error).toMatchObject({ responseCode: 552 });
    expect(received.length).toBe(before);
  });

  it('answers 451 4.3.0 when the message cannot be stored, so the sender retries', async () => {
    failNext = true;
    const error = await transport(plain.port)
      .sendMail({ from: 'citoyen@exemple.fr', to: 'demo@relais.localhost', subject: 'Plus tard', text: 'x' })
      .catch((e: { responseCode?: number; response?: string }) => e);
    expect(error).toMatchObject({ responseCode: 451 });
    expect((error as { response: string }).response).toMatch(/^451 4\.3\.0 Temporary failure/);
  });

  it('survives garbage, pipelined junk and abrupt disconnections', async () => {
    const socket = net.connect(plain.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.write(Buffer.from([0, 1, 2, 255, 254, 13, 10, 0x16, 0x03, 0x01, 0, 0, 13, 10]));
    socket.write(`MAIL FROM:<${'a'.repeat(5000)}@x>\r\nRCPT TO:<demo@relais.localhost>\r\nDATA\r\n`);
    socket.destroy();
    // Still serving.
    const replies = await dialogue(plain.port, ['EHLO client.test', 'QUIT']);
    expect(replies[0]).toMatch(/^220 /);
  });

  it('offers STARTTLS only with a certificate, and then carries the message over TLS', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=relais.localhost'], { stdio: 'ignore' });
    const secure = await listen({ tls: { cert: fs.readFileSync(cert), key: fs.readFileSync(key) } });
    try {
      const [, ehlo] = await dialogue(secure.port, ['EHLO client.test']);
      expect(ehlo).toContain('STARTTLS');
      const info = await transport(secure.port, { requireTLS: true }).sendMail({ from: 'citoyen@exemple.fr', to: 'demo@relais.localhost', subject: 'Chiffré', text: 'Par TLS.' });
      expect(info.response).toMatch(/^250 2\.6\.0 Queued as spool-\d+$/);
      expect(received.at(-1)!.raw.toString()).toContain('Par TLS.');
    } finally {
      await secure.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
