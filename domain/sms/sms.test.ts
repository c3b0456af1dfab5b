import { randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { smscControlClient } from '@/dev/smsc-simulator/control';
import type { SubmittedMessage } from '@/dev/smsc-simulator/simulator';
import { actorFor, eventually, eventsOf, fileRequest, requestRow } from '@/temporal/testing/fixtures';
import { answerRequestUpdate, askCitizenUpdate } from '@/workflows/request/definitions';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { importTenant } from '@/domain/tenant-config/import';
import { parsePhone } from '@/domain/contact/phone';

const DEMO_NUMBER = '36180';
const smsc = () => smscControlClient(process.env.SMSC_CONTROL_URL!);

/** A French mobile number (07 80 to 07 89, allocated) no other test uses, as a citizen types it. */
function uniquePhone(): string {
  return `07 ${String(80_000_000 + randomInt(0, 10_000_000)).replace(/(\d{2})(?=\d)/g, '$1 ')}`;
}

/** The SMS the simulator accepted for a number, long ones joined from their segments. */
async function smsTo(phone: string): Promise<Array<{ text: string; from: string; segments: SubmittedMessage[] }>> {
  const parts = await smsc().messages(parsePhone(phone));
  const groups = new Map<string, SubmittedMessage[]>();
  for (const part of parts) {
    const key = part.concat ? `ref:${part.concat.reference}:${part.concat.total}` : `id:${part.messageId}`;
    groups.set(key, [...(groups.get(key) ?? []), part]);
  }
  return [...groups.values()].map((segments) => {
    const ordered = [...segments].sort((a, b) => (a.concat?.sequence ?? 1) - (b.concat?.sequence ?? 1));
    return { text: ordered.map((segment) => segment.text).join(''), from: ordered[0].from, segments: ordered };
  });
}

async function waitForSms(phone: string, predicate: (text: string) => boolean, count = 1) {
  return eventually(async () => {
    const found = (await smsTo(phone)).filter((sms) => predicate(sms.text));
    if (found.length < count) throw new Error(`expected ${count} SMS to ${phone}, found ${found.length}`);
    return found;
  });
}

async function db() {
  return (await initORM(env().DATABASE_URL!)).em.fork();
}

async function smsRows(requestId: string) {
  return query<{ template: string; status: string; segment_count: number; sender: string; smsc_message_ids: string[] }>(
    await db(),
    'select template, status, segment_count, sender, smsc_message_ids from sms_message where request_id = ? order by created_at',
    [requestId],
  );
}

describe('SMS with the request workflow (worker bound to the SMSC simulator)', () => {
  it('acknowledges by SMS from VILLEDEMO with reference and code, stores the segments and the delivery', async () => {
    const phone = uniquePhone();
    const { receipt } = await fileRequest('demo', { contact: { phone }, channel: 'sms', subject: 'Trottoir abîmé' });

    const [ack] = await waitForSms(phone, (text) => text.includes(receipt.reference));
    expect(ack.from).toBe('VILLEDEMO');
    expect(ack.text).toContain(receipt.trackingCode);
    expect(ack.text).toContain(`/t/demo/suivi/${receipt.reference}`);
    const row = await requestRow('demo', receipt.reference);
    const [stored] = await eventually(async () => {
      const rows = await smsRows(row.id);
      expect(rows[0]?.status).toBe('delivered');
      return rows;
    });
    expect(stored).toMatchObject({ template: 'acknowledgement', sender: 'VILLEDEMO', segment_count: ack.segments.length });
    expect(stored.smsc_message_ids.sort()).toEqual(ack.segments.map((segment) => segment.messageId).sort());
    // The SMS is its one record: no notification row repeats its status.
    const notifications = await query(await db(), 'select 1 from notification where request_id = ? and recipient = ?', [row.id, parsePhone(phone)]);
    expect(notifications).toEqual([]);
    // The receipt's statement decides the message and the timeline line together: no waiting here.
    const line = (await eventsOf(row.id)).find((event) => event.type === 'sms_delivered');
    expect(line).toMatchObject({ public: false, actor: 'system', data: { template: 'acknowledgement', status: 'delivered', segments: ack.segments.length } });
    const e164 = parsePhone(phone);
    expect(line?.data.to).toBe(`${e164.slice(0, 4)}${'•'.repeat(e164.length - 6)}${e164.slice(-2)}`);
  });

  it('sends a short answer in full and a long one as a link to the tracking page', async () => {
    const actor = await actorFor('demo', 'accueil@ville-demo.fr');
    const shortPhone = uniquePhone();
    const short = await fileRequest('demo', { contact: { phone: shortPhone }, channel: 'sms' });
    await short.handle.executeUpdate(answerRequestUpdate, { args: [{ actor, body: 'Votre carte est prête en mairie.' }] });
    const [inline] = await waitForSms(shortPhone, (text) => text.startsWith('Réponse à votre demande'));
    expect(inline.text).toBe(`Réponse à votre demande ${short.receipt.reference} : Votre carte est prête en mairie.`);

    const longPhone = uniquePhone();
    const long = await fileRequest('demo', { contact: { phone: longPhone }, channel: 'sms' });
    const body = 'Bonjour, voici les éléments demandés. '.repeat(30);
    await long.handle.executeUpdate(answerRequestUpdate, { args: [{ actor, body }] });
    const [link] = await waitForSms(longPhone, (text) => text.includes('Une réponse à votre demande'));
    expect(link.text).toContain(`/t/demo/suivi/${long.receipt.reference}`);
    expect(link.text).not.toContain('éléments demandés');
    expect(link.segments.length).toBeLessThanOrEqual(2);
  });

  it('records a failed delivery receipt on the message and the timeline', async () => {
    const phone = uniquePhone();
    await smsc().failDeliveriesTo(parsePhone(phone));
    const { receipt } = await fileRequest('demo', { contact: { phone }, channel: 'sms' });
    const row = await requestRow('demo', receipt.reference);
    await eventually(async () => expect((await smsRows(row.id))[0]?.status).toBe('failed'));
    await eventually(async () => expect((await eventsOf(row.id)).map((event) => event.type)).toContain('sms_failed'));
    // The receipt that decided the segment is kept raw on it.
    const [raw] = await query<{ raw: { stat: string } }>(
      await db(),
      'select s.receipt as raw from sms_segment s join sms_message m on m.id = s.sms_message_id where m.request_id = ?',
      [row.id],
    );
    expect(raw.raw.stat).toBe('UNDELIV');
  });

  it('turns an SMS to 36180 into a request answered by SMS, with the acknowledgement', async () => {
    const phone = uniquePhone();
    await smsc().injectMo({ from: parsePhone(phone).slice(1), to: DEMO_NUMBER, text: 'Bonjour, le lampadaire de la rue des Lilas est en panne' });
    const request = await eventually(async () => {
      const [row] = await query<{ id: string; reference: string; channel: string; reply_channel: string; subject: string; body: string; topic: string }>(
        await db(),
        `select r.id, r.reference, r.channel, r.reply_channel, r.subject, r.body, tp.slug as topic from request r join topic tp on tp.id = r.topic_id
          where r.citizen->>'phone' = ?`,
        [parsePhone(phone)],
      );
      expect(row).toBeDefined();
      return row;
    });
    expect(request).toMatchObject({ channel: 'sms', reply_channel: 'sms', topic: 'sms-maire', body: 'Bonjour, le lampadaire de la rue des Lilas est en panne' });
    expect(request.subject).toMatch(/^SMS de 07 .* : Bonjour, le lampadaire/);
    const [ack] = await waitForSms(phone, (text) => text.includes(request.reference));
    expect(ack.from).toBe('VILLEDEMO');
  });

  it('chooses the topic by the leading keyword, else the tenant default', async () => {
    const number = String(randomInt(100_000, 999_999));
    const slug = `sms-${randomUUID().slice(0, 8)}`;
    await importTenant(await initORM(env().DATABASE_URL!), {
      slug,
      name: `Commune ${slug}`,
      settings: { organisation: 'decentralised', smsNumber: number, smsSenderId: 'COMMUNE', autoCloseAfter: 'PT1H' },
      departments: [{ slug: 'accueil', name: 'Accueil' }],
      topics: [
        { slug: 'voirie', label: 'Voirie', department: 'accueil', delay: 'P8D', smsKeyword: 'VOIRIE', position: 0 },
        { slug: 'maire', label: 'Écrire au maire', department: 'accueil', delay: 'P8D', smsKeyword: 'MAIRE', position: 1 },
        { slug: 'question', label: 'Question', department: 'accueil', delay: 'P8D', position: 2 },
      ],
    });
    const keyworded = uniquePhone();
    const plain = uniquePhone();
    await smsc().injectMo({ from: parsePhone(keyworded), to: number, text: 'maire Merci pour la fête du village' });
    await smsc().injectMo({ from: parsePhone(plain), to: number, text: 'Quand passe la balayeuse ?' });
    const topicOf = (phone: string) =>
      eventually(async () => {
        const [row] = await query<{ topic: string; body: string }>(
          await db(),
          `select tp.slug as topic, r.body from request r join topic tp on tp.id = r.topic_id join tenant t on t.id = r.tenant_id
            where t.slug = ? and r.citizen->>'phone' = ?`,
          [slug, parsePhone(phone)],
        );
        expect(row).toBeDefined();
        return row;
      });
    expect(await topicOf(keyworded)).toEqual({ topic: 'maire', body: 'Merci pour la fête du village' });
    expect(await topicOf(plain)).toEqual({ topic: 'voirie', body: 'Quand passe la balayeuse ?' });
    const [ack] = await waitForSms(plain, () => true);
    expect(ack.from).toBe('COMMUNE');
  });

  it('delivers an SMS from a citizen whose request awaits them to that request', async () => {
    const phone = uniquePhone();
    const { receipt, handle } = await fileRequest('demo', { contact: { phone }, channel: 'sms' });
    const actor = await actorFor('demo', 'accueil@ville-demo.fr');
    await handle.executeUpdate(askCitizenUpdate, { args: [{ actor, question: 'Quel est le numéro de la rue ?' }] });
    await waitForSms(phone, (text) => text.includes('Quel est le numéro de la rue ?'));
    await smsc().injectMo({ from: parsePhone(phone), to: DEMO_NUMBER, text: 'Le 12 bis' });
    const row = await eventually(async () => {
      const current = await requestRow('demo', receipt.reference);
      expect(current.state).toBe('in_progress');
      return current;
    });
    const reply = (await eventsOf(row.id)).find((event) => event.type === 'citizen_replied');
    expect(reply?.data).toEqual({ body: 'Le 12 bis', via: 'sms' });
    const [{ count }] = await query<{ count: string }>(await db(), "select count(*) from request where citizen->>'phone' = ?", [parsePhone(phone)]);
    expect(Number(count)).toBe(1);
  });

  it('records STOP as one opt-out and confirms it once, however often it is sent', async () => {
    const phone = parsePhone(uniquePhone());
    for (const text of ['STOP', 'STOP', 'Stop ']) await smsc().injectMo({ from: phone, to: DEMO_NUMBER, text });
    // The simulator waits for each deliver_sm_resp, which the worker sends once the SMS is handled.
    const rows = await query<{ outcome: string }>(await db(), 'select outcome from sms_inbound where sender = ? order by received_at', [phone]);
    expect(rows.map((row) => row.outcome)).toEqual(['opt_out', 'opt_out']);
    const optOuts = await query(await db(), "select 1 from sms_opt_out o join tenant t on t.id = o.tenant_id where t.slug = 'demo' and o.phone = ?", [phone]);
    expect(optOuts).toHaveLength(1);
    const confirmations = await waitForSms(phone, (text) => text.includes('STOP pris en compte'));
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0].from).toBe('VILLEDEMO');
  });
});
