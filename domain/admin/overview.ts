import type { EntityManager } from '@mikro-orm/postgresql';
import { DEFAULT_EMAIL_TEMPLATES, type MessageKey } from '@/domain/notifications/templates';
import { sql } from '@/domain/auth/db';
import type { EscalationStep } from '@/domain/deadlines/escalation';
import { formatCascade } from './cascade';
import { documentTemplateOverview } from './document-templates';

/** Everything the administration screens list. */
export async function adminOverview(em: EntityManager, tenantId: string) {
  const [tenant] = await sql<{ name: string; branding: Record<string, string | undefined> }>(em, 'select name, branding from tenant where id = ?', [tenantId]);
  const departments = await sql<{ slug: string; name: string; email: string | null; escalation: EscalationStep[] | null }>(em, 'select slug, name, email, escalation from department where tenant_id = ? order by name', [tenantId]);
  const agents = await sql<{ email: string; name: string; is_admin: boolean; is_dpo: boolean; active: boolean; roles: string | null }>(
    em,
    `select a.email, a.name, a.is_admin, a.is_dpo, a.active, string_agg(d.slug || ':' || ar.role, ', ' order by d.slug, ar.role) as roles
       from agent a left join agent_role ar on ar.agent_id = a.id left join department d on d.id = ar.department_id
      where a.tenant_id = ? group by a.id order by a.name`,
    [tenantId],
  );
  const topics = await sql<{ slug: string; label: string; department: string; delay: string; business_days: boolean; validation_required: boolean; active: boolean }>(
    em,
    'select t.slug, t.label, d.slug as department, t.delay, t.business_days, t.validation_required, t.active from topic t join department d on d.id = t.department_id where t.tenant_id = ? order by t.position, t.label',
    [tenantId],
  );
  const answerTemplates = await sql<{ slug: string; title: string; body: string; department: string | null }>(
    em,
    'select t.slug, t.title, t.body, d.slug as department from answer_template t left join department d on d.id = t.department_id where t.tenant_id = ? order by t.title',
    [tenantId],
  );
  const overrides = await sql<{ key: string; subject: string | null; body: string }>(em, `select key, subject, body from message_template where tenant_id = ? and channel = 'email'`, [tenantId]);
  const messageTemplates = (Object.keys(DEFAULT_EMAIL_TEMPLATES) as MessageKey[]).map((key) => {
    const own = overrides.find((o) => o.key === key);
    return { key, custom: !!own, subject: own?.subject ?? DEFAULT_EMAIL_TEMPLATES[key].subject ?? '', body: own?.body ?? DEFAULT_EMAIL_TEMPLATES[key].body };
  });
  const documentTemplates = await documentTemplateOverview(em, tenantId);
  return {
    name: tenant.name,
    branding: tenant.branding,
    departments: departments.map((d) => ({ ...d, escalation: formatCascade(d.escalation) })),
    agents: agents.map((a) => ({ email: a.email, name: a.name, isAdmin: a.is_admin, isDpo: a.is_dpo, active: a.active, roles: a.roles ?? '' })),
    topics: topics.map((t) => ({ slug: t.slug, label: t.label, department: t.department, delay: t.delay, businessDays: t.business_days, validationRequired: t.validation_required, active: t.active })),
    answerTemplates,
    messageTemplates,
    documentTemplates,
  };
}
