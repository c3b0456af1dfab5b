import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { createTestTenant, fileRequest } from '@/temporal/testing/fixtures';
import { citizenEmail } from '@/temporal/testing/helpers';
import { authResultLabel, caseInboundEmails, emailStatusLabel, smsStatusLabel } from './notifications';

const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();
let tenant: Awaited<ReturnType<typeof createTestTenant>>;

beforeAll(async () => {
  tenant = await createTestTenant();
});
afterAll(() => closeAllORMs());

describe('the Notifications panel', () => {
  it('says where each e-mail and SMS stands in plain French', () => {
    const email = (status: string, extra: Record<string, string> = {}) => emailStatusLabel({ status, ...extra } as never);
    expect(email('pending')).toBe('En attente');
    expect(email('sent', { smtpResponse: '250 OK' })).toBe('Accepté par le serveur de messagerie');
    expect(email('delivered')).toBe('Distribué');
    expect(email('bounced', { bounceStatus: '5.1.1', error: '550 5.1.1 User unknown' })).toBe('Rejeté par le serveur du destinataire (5.1.1 550 5.1.1 User unknown)');
    expect(email('failed', { error: 'connexion refusée' })).toBe('Échec : connexion refusée');
    expect(email('uncertain')).toBe('Incertain (interrompu pendant l’envoi)');
    expect(smsStatusLabel({ status: 'queued' } as never)).toBe('En attente');
    expect(smsStatusLabel({ status: 'submitted' } as never)).toBe('Envoyé au centre SMS');
    expect(smsStatusLabel({ status: 'delivered' } as never)).toBe('Distribué');
    expect(authResultLabel('pass')).toBe('réussi');
    expect(authResultLabel('')).toBe('non vérifié');
  });

  it('shows the e-mail a request came by: sender, SPF/DKIM/DMARC and the attachments refused with their reasons', async () => {
    const from = citizenEmail();
    const { receipt } = await fileRequest(tenant.slug, { contact: { email: from } });
    const [request] = await query<{ id: string; tenant_id: string }>(await em(), 'select id, tenant_id from request where reference = ? and tenant_id = (select id from tenant where slug = ?)', [receipt.reference, tenant.slug]);
    await query(
      await em(),
      `insert into inbound_email (id, tenant_id, source, message_id, from_address, from_name, subject, dedupe_key, outcome, request_id, auth, attachments)
       values (?, ?, 'smtp', ?, ?, 'Jeanne Dupont', 'Trottoir abîmé', ?, 'request', ?, ?, ?)`,
      [
        randomUUID(), request.tenant_id, `${randomUUID()}@exemple.fr`, from, `test:${randomUUID()}`, request.id,
        JSON.stringify({ spf: 'pass', dkim: 'fail', dmarc: 'none' }),
        JSON.stringify([
          { name: 'photo.jpg', type: 'image/jpeg', size: 1000, attachmentId: randomUUID() },
          { name: 'programme.exe', type: 'application/x-msdownload', size: 5000, refusedReason: 'Type de fichier non accepté' },
        ]),
      ],
    );
    const [mail] = await caseInboundEmails(await em(), request.tenant_id, request.id);
    expect(mail).toMatchObject({
      from,
      fromName: 'Jeanne Dupont',
      subject: 'Trottoir abîmé',
      outcome: 'request',
      keptAttachments: 1,
      refusedAttachments: [{ name: 'programme.exe', reason: 'Type de fichier non accepté' }],
    });
    expect(mail.checks.map((c) => `${c.name} : ${c.label}`)).toEqual(['SPF : réussi', 'DKIM : échec', 'DMARC : absent']);
  });
});
