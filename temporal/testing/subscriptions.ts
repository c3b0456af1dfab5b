import { randomInt } from 'node:crypto';
import { smscControlClient } from '@/dev/smsc-simulator/control';
import type { SubmittedMessage } from '@/dev/smsc-simulator/simulator';
import { parsePhone } from '@/domain/contact/phone';
import { env } from '@/domain/env';
import { initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { activate, lockSubscription, upsertSubscriber } from '@/domain/subscriptions/subscriptions';
import { eventually } from '@/temporal/testing/fixtures';

/** The SMSC simulator's control API of the test stack. */
export const smsc = () => smscControlClient(process.env.SMSC_CONTROL_URL!);

/** A French mobile number (07 80 to 07 89) no other test uses, in E.164. */
export function uniqueMobile(): string {
  return parsePhone(`07${String(80_000_000 + randomInt(0, 10_000_000))}`);
}

/** The texts of the SMS the simulator accepted for a number, long ones joined from their segments. */
export async function smsTexts(phone: string): Promise<string[]> {
  const groups = new Map<string, SubmittedMessage[]>();
  for (const part of await smsc().messages(phone)) {
    const key = part.concat ? `ref:${part.concat.reference}:${part.concat.total}` : `id:${part.messageId}`;
    groups.set(key, [...(groups.get(key) ?? []), part]);
  }
  return [...groups.values()].map((segments) => [...segments].sort((a, b) => (a.concat?.sequence ?? 1) - (b.concat?.sequence ?? 1)).map((s) => s.text).join(''));
}

/** Waits for SMS to a number whose text matches. */
export async function waitForSms(phone: string, predicate: (text: string) => boolean, count = 1): Promise<string[]> {
  return eventually(async () => {
    const texts = (await smsTexts(phone)).filter(predicate);
    if (texts.length < count) throw new Error(`expected ${count} SMS to ${phone}, found ${texts.length}`);
    return texts;
  });
}

/** A subscription's row and its consent trail, by tenant, list and address. */
export async function subscriptionState(tenantSlug: string, listSlug: string, address: string) {
  const em = (await initORM(env().DATABASE_URL!)).em.fork();
  const [row] = await query<{ id: string; status: string; consent_method: string | null; consent_at: Date | null; consent_proof: Record<string, unknown> | null; confirmation_attempt: number }>(
    em,
    `select s.id, s.status, s.consent_method, s.consent_at, s.consent_proof, s.confirmation_attempt from subscription s
       join subscriber p on p.id = s.subscriber_id join subscription_list l on l.id = s.list_id join tenant t on t.id = s.tenant_id
      where t.slug = ? and l.slug = ? and p.address = ?`,
    [tenantSlug, listSlug, address],
  );
  if (!row) return undefined;
  const events = await query<{ kind: string; method: string; proof: Record<string, unknown> }>(
    em,
    'select kind, method, proof from subscription_event where subscription_id = ? order by created_at, kind desc',
    [row.id],
  );
  return { ...row, events };
}

/** An active subscription made directly (as an import would), for tests of what is sent to subscribers. */
export async function activeSubscription(tenantSlug: string, listSlug: string, channel: 'email' | 'sms', address: string): Promise<string> {
  const orm = await initORM(env().DATABASE_URL!);
  return orm.em.fork().transactional(async (em) => {
    const [{ tenant_id: tenantId, list_id: listId }] = await query<{ tenant_id: string; list_id: string }>(
      em,
      'select t.id as tenant_id, l.id as list_id from subscription_list l join tenant t on t.id = l.tenant_id where t.slug = ? and l.slug = ?',
      [tenantSlug, listSlug],
    );
    const subscriberId = await upsertSubscriber(em, tenantId, channel, address);
    const [{ id }] = await query<{ id: string }>(
      em,
      `insert into subscription (id, tenant_id, subscriber_id, list_id) values (gen_random_uuid(), ?, ?, ?)
       on conflict (subscriber_id, list_id) do update set updated_at = now() returning id`,
      [tenantId, subscriberId, listId],
    );
    await activate(em, await lockSubscription(em, id), 'import', { via: 'test' });
    return id;
  });
}
