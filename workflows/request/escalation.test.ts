import { afterAll, describe, expect, it } from 'vitest';
import { closeAllORMs } from '@/domain/orm';
import { actorFor, createTestTenant, fileRequest, requestRow } from '@/temporal/testing/fixtures';
import { citizenEmail, mailTo, waitForMail } from '@/temporal/testing/helpers';
import { keepHistory } from '@/temporal/testing/histories';
import { answerRequestUpdate, snapshotQuery } from './definitions';

afterAll(() => closeAllORMs());

const DELAY_MS = 12_000;

describe('deadline and escalation cascade', () => {
  it('reminds the department once at 66 %, the head at 100 %, and nobody when answered early', async () => {
    const tenant = await createTestTenant({
      delay: 'PT12S',
      escalation: [
        { percent: 66, recipients: ['department'] },
        { percent: 100, recipients: ['head'] },
      ],
    });
    const late = await fileRequest(tenant.slug, { subject: 'Sans réponse', contact: { email: citizenEmail() } });
    const early = await fileRequest(tenant.slug, { subject: 'Réponse rapide', contact: { email: citizenEmail() } });
    const agent = await actorFor(tenant.slug, tenant.mail('agent'));
    await early.handle.executeUpdate(answerRequestUpdate, { args: [{ actor: agent, body: 'Réponse immédiate.' }] });

    const receivedAt = new Date((await requestRow(tenant.slug, late.receipt.reference)).due_at).getTime() - DELAY_MS;
    const about = (reference: string) => (m: { subject?: string }) => (m.subject ?? '').includes(`Relance : demande ${reference}`);

    const [first] = await waitForMail(tenant.mail('agent'), about(late.receipt.reference), { timeoutMs: 20_000 });
    expect(first.subject).toContain('(66 % du délai)');
    expect(Date.parse(first.receivedAt)).toBeGreaterThanOrEqual(receivedAt + 0.66 * DELAY_MS);
    // Near its time: well before the next step, whatever the machine's load.
    expect(Date.parse(first.receivedAt)).toBeLessThan(receivedAt + DELAY_MS);

    const headReminders = await waitForMail(tenant.mail('chef'), about(late.receipt.reference), { count: 2, timeoutMs: 20_000 });
    const at100 = headReminders.find((m) => m.subject!.includes('(100 % du délai)'))!;
    expect(Date.parse(at100.receivedAt)).toBeGreaterThanOrEqual(receivedAt + DELAY_MS);

    // Let every timer fire, then count: one reminder per step and recipient, none for the answered request.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await mailTo(tenant.mail('agent'))).filter(about(late.receipt.reference))).toHaveLength(1);
    expect((await mailTo(tenant.mail('chef'))).filter(about(late.receipt.reference)).map((m) => m.subject!.match(/\((\d+) %/)![1]).sort()).toEqual(['100', '66']);
    expect((await mailTo(tenant.mail('admin'))).filter(about(late.receipt.reference))).toHaveLength(0);
    for (const address of ['agent', 'chef', 'civil', 'admin']) {
      expect((await mailTo(tenant.mail(address))).filter(about(early.receipt.reference))).toHaveLength(0);
    }
    expect((await late.handle.query(snapshotQuery)).remindersSent).toEqual([0, 1]);
    expect((await early.handle.query(snapshotQuery)).remindersSent).toEqual([]);
    await keepHistory('escalation-66-100', late.handle);
    await keepHistory('answered-before-reminders', early.handle);
  });
});
