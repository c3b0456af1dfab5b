import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { frenchLongDateTime } from '@/domain/format/french';
import { caseMessages } from '@/domain/inbox/notifications';
import { recordDeliveryReport } from '@/domain/mail/bounces';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant, eventually, fileRequest } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';
import { publicRequestView } from './public-view';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenant: Awaited<ReturnType<typeof createTestTenant>>;

beforeAll(async () => {
  tenant = await createTestTenant();
});
afterAll(() => closeAllORMs());

describe('the messages a citizen is told about', () => {
  it('writes the instant out as a sentence says it', () => {
    expect(frenchLongDateTime(new Date('2026-12-05T09:12:00Z'), 'Europe/Paris')).toBe('5 décembre 2026 à 10 h 12');
    expect(frenchLongDateTime(new Date('2027-05-01T07:05:00Z'), 'Europe/Paris')).toBe('1er mai 2027 à 9 h 05');
  });

  it('shows one line per e-mail and SMS sent to the citizen, a bounce as not delivered, and no staff notice', async () => {
    const to = citizenEmail();
    const { receipt } = await fileRequest(tenant.slug, { contact: { email: to } });
    const [request] = await query<{ id: string; tenant_id: string }>(await em(), 'select r.id, r.tenant_id from request r where r.reference = ? and r.tenant_id = (select id from tenant where slug = ?)', [receipt.reference, tenant.slug]);
    const ack = await eventually(async () => {
      const found = (await caseMessages(await em(), request.tenant_id, request.id)).find((m) => m.template === 'acknowledgement' && m.status === 'sent');
      if (!found) throw new Error('acknowledgement not sent yet');
      return found;
    });
    // The department's notice went out too: an agent sees it, the citizen does not.
    await eventually(async () => expect((await caseMessages(await em(), request.tenant_id, request.id)).some((m) => m.template === 'new_request' && m.status === 'sent')).toBe(true));
    expect(ack.statusLabel).toBe('Accepté par le serveur de messagerie');
    expect(ack.detail).toMatch(/^250 /);

    const sentAt = new Date('2026-12-05T09:12:00Z');
    await query(
      await em(),
      `insert into sms_message (id, tenant_id, request_id, idempotency_key, template, recipient, sender, text, data_coding, segment_count, status, created_at, submitted_at)
       values (?, ?, ?, ?, 'answer_link', '+33612345678', 'MAIRIE', 'Réponse', 0, 1, 'submitted', ?, ?)`,
      [randomUUID(), request.tenant_id, request.id, `test:${randomUUID()}`, sentAt, sentAt],
    );
    await query(await em(), `update notification set sent_at = ? where id = ?`, [new Date('2026-12-05T09:10:00Z'), ack.id]);

    let view = await publicRequestView(await em(), tenant.slug, receipt.reference, receipt.trackingCode);
    expect(view.messages.map((m) => m.text)).toEqual(['Courriel envoyé le 5 décembre 2026 à 10 h 10', 'SMS envoyé le 5 décembre 2026 à 10 h 12']);

    await recordDeliveryReport(await em(), ack.id, { statuses: [{ action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 User unknown' }] });
    view = await publicRequestView(await em(), tenant.slug, receipt.reference, receipt.trackingCode);
    expect(view.messages[0]).toMatchObject({ channel: 'email', delivered: false, text: 'Courriel non distribué (envoyé le 5 décembre 2026 à 10 h 10)' });
    const panel = await caseMessages(await em(), request.tenant_id, request.id);
    expect(panel.find((m) => m.id === ack.id)?.statusLabel).toBe('Rejeté par le serveur du destinataire (5.1.1 550 5.1.1 User unknown)');
    expect(panel.find((m) => m.channel === 'sms')).toMatchObject({ statusLabel: 'Envoyé au centre SMS', templateLabel: 'Réponse', citizenTemplate: 'answer' });
  });
});
