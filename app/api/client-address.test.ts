import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress } from '@/domain/antispam/client-address';
import { env, resetEnv } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';
import { withPeerAddress } from '@/scripts/web-server';
import { POST } from './v1/t/[tenant]/requests/route';

let server: http.Server;
let baseUrl: string;

// The web server's own listener in front of an echo of the address, and of the real API route.
beforeAll(async () => {
  server = http.createServer(
    withPeerAddress(async (request, response) => {
      const headers = new Headers(Object.entries(request.headers).map(([k, v]) => [k, String(v)] as [string, string]));
      if (request.url?.startsWith('/echo')) {
        response.end(clientAddress(headers, Number(new URL(request.url, 'http://x').searchParams.get('trusted'))));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const tenant = request.url!.split('/')[2];
      const answer = await POST(new Request(`http://relais.test${request.url}`, { method: 'POST', headers, body: Buffer.concat(chunks) }), { params: Promise.resolve({ tenant }) });
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  delete process.env.RELAIS_TRUSTED_PROXIES;
  resetEnv();
  await closeAllORMs();
});

async function echo(trusted: number, forwardedFor?: string): Promise<string> {
  const response = await fetch(`${baseUrl}/echo?trusted=${trusted}`, { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
  return response.text();
}

describe('the client address behind 0, 1 or 2 trusted proxies', () => {
  it('is the socket peer with no trusted proxy, whatever X-Forwarded-For the client sends', async () => {
    expect(await echo(0)).toBe('127.0.0.1');
    expect(await echo(0, '203.0.113.9')).toBe('127.0.0.1');
    expect(await echo(0, '203.0.113.9, 198.51.100.4')).toBe('127.0.0.1');
  });

  it('is the entry the trusted proxies added, never one the client wrote further left', async () => {
    // Behind one proxy: the client forged 203.0.113.9, the proxy appended the address it saw (198.51.100.4).
    expect(await echo(1, '203.0.113.9, 198.51.100.4')).toBe('198.51.100.4');
    expect(await echo(1, '198.51.100.4')).toBe('198.51.100.4');
    // Behind two: a CDN appended the client, the load balancer appended the CDN (10.0.0.2).
    expect(await echo(2, '203.0.113.9, 198.51.100.5, 10.0.0.2')).toBe('198.51.100.5');
    // Fewer hops than trusted proxies (misconfiguration): the left-most entry, still never past the header.
    expect(await echo(2, '198.51.100.6')).toBe('198.51.100.6');
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4', () => {
    const headers = (value: string) => new Headers({ 'x-forwarded-for': value });
    expect(clientAddress(headers('2001:db8:1:2:aaaa::1'), 0)).toBe('2001:db8:1:2::/64');
    expect(clientAddress(headers('2001:db8:1:2:bbbb:cccc:dddd:eeee'), 0)).toBe('2001:db8:1:2::/64');
    expect(clientAddress(headers('::ffff:192.0.2.1'), 0)).toBe('192.0.2.1');
    expect(clientAddress(new Headers(), 0)).toBe('inconnue');
  });

  it('keeps the API limit on a client that rotates X-Forwarded-For, through the web server and the real route', async () => {
    const tenant = await createTestTenant();
    const em = (await initORM(env().DATABASE_URL!)).em.fork();
    await query(em, `update tenant set settings = jsonb_set(settings, '{limits}', '{"perAddressPerHour": 2}'::jsonb) where slug = ?`, [tenant.slug]);
    process.env.RELAIS_TRUSTED_PROXIES = '0';
    resetEnv();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${baseUrl}/t/${tenant.slug}/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i + 1}` },
        body: JSON.stringify({ topic: 'question', subject: 'Une question', message: `Question ${i}`, contact: { email: citizenEmail('rotation') } }),
      });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([201, 201, 429, 429]);

    // Behind one trusted proxy, the entry the proxy appended is the client: two different ones are two clients.
    process.env.RELAIS_TRUSTED_PROXIES = '1';
    resetEnv();
    for (const client of ['198.51.100.71', '198.51.100.72']) {
      const response = await fetch(`${baseUrl}/t/${tenant.slug}/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.1, ${client}` },
        body: JSON.stringify({ topic: 'question', subject: 'Une question', message: `Depuis ${client}`, contact: { email: citizenEmail('proxy') } }),
      });
      expect(response.status).toBe(201);
    }
  });
});
