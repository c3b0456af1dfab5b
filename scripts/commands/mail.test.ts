import { spawn } from 'node:child_process';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/dev/ports';

/** A real SMTP peer standing in for the inbound listener: 550 for unknown recipients, 250 with a queue id otherwise. */
let server: SMTPServer;
let port: number;
const received: Array<{ to: string[]; raw: string }> = [];

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!address.address.endsWith('@relais.localhost') || address.address.startsWith('inconnu@')) {
        return callback(Object.assign(new Error('5.1.1 Destinataire inconnu'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString() });
        callback(null, 'Message reçu : 2026-000042');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Runs `relais mail:send` with a body on stdin. */
function cli(args: string[], stdin = 'Bonjour,\nun lampadaire est en panne.\n'): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/relais.ts', 'mail:send', ...args], { env: { ...process.env, RELAIS_INBOUND_SMTP_PORT: String(port) } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('relais mail:send', () => {
  it('sends the body read on stdin and prints the listener’s reply', async () => {
    const result = await cli(['--from', 'jeanne@exemple.fr', '--to', 'demo@relais.localhost', '--subject', 'Lampadaire en panne']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('250 Message reçu : 2026-000042');
    const last = received.at(-1)!;
    expect(last.to).toEqual(['demo@relais.localhost']);
    expect(last.raw).toContain('Subject: Lampadaire en panne');
    expect(last.raw).toContain('un lampadaire est en panne');
  });

  it('exits non-zero naming the refusal, e.g. 550 for an unknown recipient', async () => {
    const result = await cli(['--from', 'jeanne@exemple.fr', '--to', 'inconnu@relais.localhost', '--subject', 'Perdu']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('The listener refused the message at RCPT TO: 550 5.1.1 Destinataire inconnu');
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('exits non-zero with a clear message for bad arguments and an absent listener', async () => {
    const missing = await cli(['--to', 'demo@relais.localhost']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("required option '--from <address>' not specified");
    const garbage = await cli(['--from', 'pas une adresse']);
    expect(garbage.status).toBe(1);
    expect(garbage.stderr).toContain('Not an e-mail address: "pas une adresse"');
    const badPort = await cli(['--from', 'jeanne@exemple.fr', '--port', 'zéro']);
    expect(badPort.stderr).toContain('Not a port number: "zéro"');
    const nobody = await cli(['--from', 'jeanne@exemple.fr', '--port', String(await freePort())]);
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toMatch(/No inbound SMTP listener answered at 127\.0\.0\.1:\d+: .*ECONNREFUSED.*\(is npm start running\?\)/);
  });
});
