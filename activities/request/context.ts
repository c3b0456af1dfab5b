import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@/domain/sql';
import type { CitizenContact, IntakeChannel, ReplyChannel, TenantSettings } from '@/domain/entities';

/** What a notification needs to know about a request, read in one query. */
export interface RequestContext {
  id: string;
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  settings: TenantSettings;
  reference: string;
  subject: string;
  citizen: CitizenContact;
  replyChannel: ReplyChannel;
  /** How the request came in. */
  channel: IntakeChannel;
  dueAt: Date;
  state: string;
  topicLabel: string;
  departmentId: string;
  departmentName: string;
}

/** Loads a request with its tenant, topic and department; undefined when it does not exist. */
export async function loadRequestContext(em: EntityManager, tenantId: string, requestId: string): Promise<RequestContext | undefined> {
  const rows = await em.getConnection().execute(
    `select r.id, r.tenant_id, t.slug as tenant_slug, t.name as tenant_name, t.settings, r.reference, r.subject,
            r.citizen, r.reply_channel, r.channel, r.due_at, r.state, tp.label as topic_label, d.id as department_id, d.name as department_name
       from request r
       join tenant t on t.id = r.tenant_id
       join topic tp on tp.id = r.topic_id
       join department d on d.id = r.department_id
      where r.id = ? and r.tenant_id = ?`,
    [requestId, tenantId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenantSlug: row.tenant_slug,
    tenantName: row.tenant_name,
    settings: row.settings,
    reference: row.reference,
    subject: row.subject,
    citizen: row.citizen,
    replyChannel: row.reply_channel,
    channel: row.channel,
    dueAt: new Date(row.due_at),
    state: row.state,
    topicLabel: row.topic_label,
    departmentId: row.department_id,
    departmentName: row.department_name,
  };
}

/** E-mail addresses behind escalation recipients for one department of one tenant. */
export async function resolveStaffAddresses(
  em: EntityManager,
  tenantId: string,
  departmentId: string,
  recipients: Array<'department' | 'head' | 'administrators' | { email: string }>,
): Promise<string[]> {
  const addresses = new Set<string>();
  const conn = em.getConnection();
  for (const recipient of recipients) {
    if (typeof recipient === 'object') {
      addresses.add(recipient.email);
    } else if (recipient === 'administrators') {
      const rows = await query<{ email: string }>(em, 'select email from agent where tenant_id = ? and is_admin and active', [tenantId]);
      rows.forEach((r) => addresses.add(r.email));
    } else {
      const roles = recipient === 'head' ? ['head'] : ['agent', 'validator', 'head'];
      const rows = await query<{ email: string }>(
        em,
        `select distinct a.email from agent a join agent_role ar on ar.agent_id = a.id
          where a.tenant_id = ? and a.active and ar.department_id = ? and ar.role in (${roles.map(() => '?').join(',')})`,
        [tenantId, departmentId, ...roles],
      );
      rows.forEach((r) => addresses.add(r.email));
      if (recipient === 'department') {
        const dept = await conn.execute('select email from department where id = ? and tenant_id = ?', [departmentId, tenantId]);
        if (dept[0]?.email) addresses.add(dept[0].email);
      }
    }
  }
  return [...addresses].sort();
}
