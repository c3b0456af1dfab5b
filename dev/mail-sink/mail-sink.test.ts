import { once } from 'node:events';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundEmail } from '@/domain/entities';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { eventually } from '@/temporal/testing/fixtures';
import { startMailSink, type MailSink } from './mail-sink';

/** A real SMTP peer standing in for the inbound listener: it refuses unknown recipients with 550 and keeps the rest. */
async function startStandIn() {
  const received: Array<{ from: string; to: string[]; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('inconnu@')) return callback(Object.assign(new Error('Destinataire inconnu'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString() });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as { port: number }).port, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let standIn: Awaited<ReturnType<typeof startStandIn>>;
let sink: MailSink;
let dir: string;

beforeAll(async () => {
  standIn = await startStandIn();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-sink-'));
  sink = await startMailSink({ dir, smtpPort: 0, httpPort: 0, inbound: { domain: 'relais.localhost', listener: { host: '127.0.0.1', port: standIn.port } } });
});

afterAll(async () => {
  await closeAllORMs();
  await sink.stop();
  await standIn.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

const send = (mail: SendMailOptions) => nodemailer.createTransport({ host: '127.0.0.1', port: sink.smtpPort, secure: false, ignoreTLS: true }).sendMail(mail);

describe('the development mail sink', () => {
  it('hands mail for the inbound domain to the listener, byte for byte and with its envelope, and keeps a copy', async () => {
    const subject = `Re: votre demande ${Date.now()}`;
    await send({ from: 'jeanne@exemple.fr', to: ['reponse+demo.2026-000001.0123456789abcdef@relais.localhost', 'copie@exemple.fr'], subject, text: 'Voici la pièce demandée.' });
    expect(standIn.received).toHaveLength(1);
    const [relayed] = standIn.received;
    expect(relayed.from).toBe('jeanne@exemple.fr');
    expect(relayed.to).toEqual(['reponse+demo.2026-000001.0123456789abcdef@relais.localhost']);
    expect(relayed.raw).toContain(`Subject: ${subject}`);
    expect(relayed.raw).toContain('Voici la pi');
    expect(sink.messages().find((m) => m.subject === subject)?.envelopeTo).toEqual(['reponse+demo.2026-000001.0123456789abcdef@relais.localhost', 'copie@exemple.fr']);
  });

  it('keeps mail for other domains without relaying it', async () => {
    const before = standIn.received.length;
    await send({ from: 'ne-pas-repondre@relais.localhost', to: 'jeanne@exemple.fr', subject: 'Accusé de réception', text: 'Bonjour.' });
    expect(standIn.received).toHaveLength(before);
    expect(sink.messages().some((m) => m.subject === 'Accusé de réception')).toBe(true);
  });

  it('outlives a sender whose connection is reset mid-session (a worker killed while sending)', async () => {
    const socket = net.connect(sink.smtpPort, '127.0.0.1');
    await once(socket, 'data');
    socket.write('EHLO worker.test\r\nMAIL FROM:<relais@ville-demo.fr>\r\n');
    await once(socket, 'data');
    socket.resetAndDestroy();
    await once(socket, 'close');
    const subject = `Après la coupure ${Date.now()}`;
    await send({ from: 'relais@ville-demo.fr', to: 'jeanne@exemple.fr', subject, text: 'Bonjour.' });
    expect(sink.messages().some((m) => m.subject === subject)).toBe(true);
  });

  it('passes the listener’s refusal back to the sender', async () => {
    await expect(send({ from: 'jeanne@exemple.fr', to: 'inconnu@relais.localhost', subject: 'Perdu', text: 'Bonjour.' })).rejects.toMatchObject({ responseCode: 550 });
  });
});

describe('the test stack’s mail sink', () => {
  const stackSink = () => nodemailer.createTransport(env().SMTP_URL!);

  it('hands a citizen’s e-mail to the worker’s real listener, which files it', async () => {
    const from = `relais-sink-${Date.now()}@exemple.fr`;
    await stackSink().sendMail({ from, to: `demo@${env().INBOUND_MAIL_DOMAIN}`, subject: 'Lampadaire en panne', text: 'Bonjour, le lampadaire ne s’allume plus.' });
    const orm = await initORM(env().DATABASE_URL!);
    // The listener answers once the message is spooled; the intake files it just after.
    await eventually(async () => expect((await orm.em.fork().findOneOrFail(InboundEmail, { fromAddress: from })).outcome).toBe('request'));
  });

  it('answers the listener’s refusal of an unknown recipient', async () => {
    await expect(stackSink().sendMail({ from: 'jeanne@exemple.fr', to: `commune-inconnue@${env().INBOUND_MAIL_DOMAIN}`, subject: 'Perdu', text: 'Bonjour.' })).rejects.toMatchObject({ responseCode: 550 });
  });
});
