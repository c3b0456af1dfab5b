import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { hostileCorpus } from '@/integrations/mail/testing/hostile-corpus';
import { createTestTenant, eventsOf, eventually, waitUntilFiled } from '@/temporal/testing/fixtures';

interface InboundRow {
  outcome: string;
  reason: string | null;
  request_id: string | null;
}

async function db() {
  return (await initORM(env().DATABASE_URL!)).em.fork();
}

/** Sends one raw message to the worker's listener; resolves with the SMTP reply code (250 once filed, or the refusal's). */
async function sendRaw(raw: Buffer, from: string, to: string): Promise<number> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(env().RELAIS_INBOUND_SMTP_PORT), secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({ envelope: { from, to: [to] }, raw });
    await waitUntilFiled(info.response);
    return 250;
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode;
    if (!code) throw error;
    return code;
  } finally {
    transport.close();
  }
}

describe('hostile and malformed e-mails through the SMTP listener', () => {
  it('imports each cleanly, quarantines it or refuses it with a reason, and never leaves a half-written request', { timeout: 300_000 }, async () => {
    const { slug } = await createTestTenant();
    const to = `${slug}@${env().INBOUND_MAIL_DOMAIN}`;
    const em = await db();
    const [{ id: tenantId }] = await query<{ id: string }>(em, 'select id from tenant where slug = ?', [slug]);
    const outcomes: Record<string, string> = {};
    for (const { name, raw } of hostileCorpus(to)) {
      const before = await query<{ n: number }>(em, 'select count(*)::int as n from inbound_email where tenant_id = ?', [tenantId]);
      const code = await sendRaw(raw, 'citoyen@example.org', to);
      // Once stored, a message is the town hall's: even one the intake refuses was accepted (its refusal is recorded).
      expect(code, `${name}: SMTP ${code}`).toBe(250);
      const [row] = await query<InboundRow>(em, 'select outcome, reason, request_id from inbound_email where tenant_id = ? order by received_at desc limit 1', [tenantId]);
      const after = await query<{ n: number }>(em, 'select count(*)::int as n from inbound_email where tenant_id = ?', [tenantId]);
      // One record per message, whatever its fate.
      expect(after[0].n - before[0].n, name).toBe(1);
      expect(['request', 'quarantined', 'refused', 'ignored'], name).toContain(row.outcome);
      if (row.outcome === 'request') expect(row.request_id, name).toBeTruthy();
      else expect(row.reason, `${name} has no reason`).toMatch(/\S{3}/);
      outcomes[name] = row.outcome;
    }
    // The messages the parser cannot read are refused; those without a usable sender wait for an agent.
    expect(outcomes['1 MB single-line header']).toBe('refused');
    expect(outcomes['no From header']).toBe('quarantined');
    expect(outcomes['From is not an address']).toBe('quarantined');
    expect(outcomes['20 MB attachment']).toBe('request');

    // Every request filed is whole: a case with text, and a workflow that recorded its arrival.
    const requests = await query<{ id: string; subject: string; body: string; workflow_id: string }>(
      em,
      'select id, subject, body, workflow_id from request where tenant_id = ?',
      [tenantId],
    );
    const filed = Object.values(outcomes).filter((outcome) => outcome === 'request').length;
    expect(requests).toHaveLength(filed);
    for (const request of requests) {
      expect(request.subject.trim().length).toBeGreaterThan(0);
      expect(request.body.trim().length).toBeGreaterThan(0);
      await eventually(async () => expect((await eventsOf(request.id)).map((e) => e.type)).toContain('received'), 60_000);
    }
  });
});
