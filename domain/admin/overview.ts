import type { EntityManager } from '@mikro-orm/postgresql';
import { Agent, AgentRole, AnswerTemplate, Department, MessageTemplate, Tenant, Topic } from '@/domain/entities';
import { DEFAULT_EMAIL_TEMPLATES, type MessageKey } from '@/domain/notifications/templates';
import { formatCascade } from './cascade';
import { documentTemplateOverview } from './document-templates';
import { listOverview } from './lists';

/** Everything the administration screens list. */
export async function adminOverview(em: EntityManager, tenantId: string) {
  const fresh = { refresh: true } as const;
  const tenant = await em.findOneOrFail(Tenant, tenantId, fresh);
  const departments = await em.find(Department, { tenant: tenantId }, { ...fresh, orderBy: { name: 'asc' } });
  const agents = await em.find(Agent, { tenant: tenantId }, { ...fresh, orderBy: { name: 'asc' } });
  const roles = await em.find(AgentRole, { agent: { tenant: tenantId } }, { ...fresh, populate: ['department'] });
  // "service:rôle, …" ordered by service then role, as the form edits them.
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const rolesOf = (agent: Agent) =>
    roles
      .filter((r) => r.agent.id === agent.id)
      .sort((a, b) => byText(a.department.slug, b.department.slug) || byText(a.role, b.role))
      .map((r) => `${r.department.slug}:${r.role}`)
      .join(', ');
  const topics = await em.find(Topic, { tenant: tenantId }, { ...fresh, populate: ['department'], orderBy: [{ position: 'asc' }, { label: 'asc' }] });
  const templates = await em.find(AnswerTemplate, { tenant: tenantId }, { ...fresh, populate: ['department'], orderBy: { title: 'asc' } });
  const answerTemplates = templates.map((t) => ({ slug: t.slug, title: t.title, body: t.body, department: t.department?.slug ?? null }));
  const overrides = await em.find(MessageTemplate, { tenant: tenantId, channel: 'email' }, fresh);
  const messageTemplates = (Object.keys(DEFAULT_EMAIL_TEMPLATES) as MessageKey[]).map((key) => {
    const own = overrides.find((o) => o.key === key);
    return { key, custom: !!own, subject: own?.subject ?? DEFAULT_EMAIL_TEMPLATES[key].subject ?? '', body: own?.body ?? DEFAULT_EMAIL_TEMPLATES[key].body };
  });
  const documentTemplates = await documentTemplateOverview(em, tenantId);
  const lists = await listOverview(em, tenantId);
  return {
    name: tenant.name,
    branding: tenant.branding as unknown as Record<string, string | undefined>,
    departments: departments.map((d) => ({ slug: d.slug, name: d.name, email: d.email ?? null, escalation: formatCascade(d.escalation) })),
    agents: agents.map((a) => ({ email: a.email, name: a.name, isAdmin: a.isAdmin, isDpo: a.isDpo, isTreasurer: a.isTreasurer, active: a.active, roles: rolesOf(a) })),
    topics: topics.map((t) => ({
      slug: t.slug, label: t.label, department: t.department.slug, delay: t.delay, businessDays: t.businessDays, validationRequired: t.validationRequired, active: t.active,
    })),
    answerTemplates,
    messageTemplates,
    lists,
    documentTemplates,
  };
}
