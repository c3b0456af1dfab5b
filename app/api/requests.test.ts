import { afterAll, describe, expect, it } from 'vitest';
import { closeAllORMs, initORM } from '@/domain/orm';
import { env } from '@/domain/env';
import { callRoute, citizenEmail, waitForMail } from '@/temporal/testing/helpers';
import { GET as getRequest } from './v1/t/[tenant]/requests/[reference]/route';
import { POST } from './v1/t/[tenant]/requests/route';

afterAll(() => closeAllORMs());

async function countRequests(): Promise<number> {
  const orm = await initORM(env().DATABASE_URL!);
  const [row] = await orm.em.fork().getConnection().execute('select count(*)::int as n from request');
  return row.n;
}

describe('POST /api/v1/t/{tenant}/requests', () => {
  it('acknowledges a new request by e-mail with reference, due date, tracking link and code', async () => {
    const email = citizenEmail();
    const response = await callRoute(POST, { tenant: 'demo' }, {
      method: 'POST',
      body: { topic: 'question', subject: 'Horaires de la déchetterie', message: 'Bonjour, quels sont les horaires ?', contact: { name: 'Jeanne Dupont', email } },
    });
    expect(response.status).toBe(201);
    const receipt = await response.json();
    expect(receipt.reference).toMatch(/^\d{4}-\d{6}$/);
    expect(receipt.trackingCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
    expect(new Date(receipt.dueAt).getTime()).toBeGreaterThan(Date.now() + 7 * 86_400_000);
    expect(receipt.trackingUrl).toBe(`http://relais.test/t/demo/suivi/${receipt.reference}?code=${receipt.trackingCode}`);

    const [ack] = await waitForMail(email, (m) => m.subject?.includes(receipt.reference) ?? false);
    expect(ack.subject).toBe(`Ville de Démo — votre demande ${receipt.reference} a bien été reçue [Réf. ${receipt.reference}]`);
    expect(ack.text).toContain(`Référence : ${receipt.reference}`);
    expect(ack.text).toContain(`Code de suivi : ${receipt.trackingCode}`);
    expect(ack.text).toContain(receipt.trackingUrl);
    expect(ack.text).toMatch(/Réponse au plus tard le : \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}/);
    expect(ack.text).toContain('Bonjour Jeanne Dupont');

    const view = await callRoute(getRequest, { tenant: 'demo', reference: receipt.reference }, { url: `http://relais.test/x?code=${receipt.trackingCode}` });
    expect(view.status).toBe(200);
    const body = await view.json();
    expect(body.reference).toBe(receipt.reference);
    expect(body.timeline[0]).toMatchObject({ type: 'received', label: 'Demande reçue' });
    expect(body).not.toHaveProperty('workflowId');
  });

  it('routes the department and e-mails its agents on arrival', async () => {
    const response = await callRoute(POST, { tenant: 'demo' }, {
      method: 'POST',
      body: { topic: 'espaces-verts', subject: 'Arbre tombé rue des Lilas', message: 'Un arbre bloque le trottoir.', contact: { email: citizenEmail() } },
    });
    const { reference } = await response.json();
    const [notice] = await waitForMail('parcs@ville-demo.fr', (m) => m.subject?.includes(reference) ?? false);
    expect(notice.subject).toBe(`[Ville de Démo] Nouvelle demande ${reference} — Espaces verts, propreté`);
    expect(notice.text).toContain(`http://relais.test/console/demo/demandes/${reference}`);
  });

  it('answers 400 with French field errors and writes nothing', async () => {
    const before = await countRequests();
    const cases: Array<[unknown, string]> = [
      [{ topic: 'question', subject: 'ab', message: 'x', contact: { email: 'a@b.fr' } }, '/subject'],
      [{ topic: 'question', subject: 'Bonjour', message: 'x', contact: {} }, '/contact'],
      [{ topic: 'question', subject: 'Bonjour', message: 'x', contact: { email: 'pas-une-adresse' } }, '/contact/email'],
      [{ topic: 'inconnu', subject: 'Bonjour', message: 'x', contact: { email: 'a@b.fr' } }, '/topic'],
      [{ topic: 'question', subject: 'Bonjour', message: 'x', channel: 'sms', contact: { email: 'a@b.fr' } }, '/contact/phone'],
      [{ topic: 'question', subject: 'Bonjour', message: 'x', contact: { email: 'a@b.fr' }, extra: 1 }, '/extra'],
      ['{not json', ''],
      [[1, 2], ''],
    ];
    for (const [body, path] of cases) {
      const response = await callRoute(POST, { tenant: 'demo' }, { method: 'POST', body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      const { errors } = await response.json();
      expect(errors.map((e: { path: string }) => e.path), JSON.stringify(body)).toContain(path);
      for (const e of errors) expect(e.message).toMatch(/[a-zé]/);
    }
    expect(await countRequests()).toBe(before);
  });

  it('answers 404 for an unknown tenant, reference or wrong code', async () => {
    const unknownTenant = await callRoute(POST, { tenant: 'nulle-part' }, {
      method: 'POST',
      body: { topic: 'question', subject: 'Bonjour', message: 'x', contact: { email: 'a@b.fr' } },
    });
    expect(unknownTenant.status).toBe(404);
    const created = await (
      await callRoute(POST, { tenant: 'demo' }, { method: 'POST', body: { topic: 'question', subject: 'Bonjour', message: 'x', contact: { email: citizenEmail() } } })
    ).json();
    const wrongCode = await callRoute(getRequest, { tenant: 'demo', reference: created.reference }, { url: 'http://relais.test/x?code=AAAA-BBBB-CCCC-DDDD-EEEE' });
    expect(wrongCode.status).toBe(404);
    const noCode = await callRoute(getRequest, { tenant: 'demo', reference: created.reference });
    expect(noCode.status).toBe(404);
    const unknownReference = await callRoute(getRequest, { tenant: 'demo', reference: '1999-000001' }, { url: `http://relais.test/x?code=${created.trackingCode}` });
    expect(unknownReference.status).toBe(404);
  });
});
