import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DEFAULT_EMAIL_TEMPLATES, renderText, templateError, type MessageKey } from '@/activities/notifications/templates';
import { writeAudit } from '@/domain/audit';
import { sql } from '@/domain/auth/db';
import { assertStrongPassword, hashPassword } from '@/domain/auth/passwords';
import { destroyAgentSessions } from '@/domain/auth/sessions';
import { parseDelay } from '@/domain/deadlines/delay';
import { validateCascade, type EscalationStep } from '@/domain/deadlines/escalation';
import { Agent, AgentRole, AnswerTemplate, Department, MessageTemplate, Tenant, Topic } from '@/domain/entities';
import { InputError, NotFoundError, compileValidator, type FieldError } from '@/domain/validation';
import { documentTemplateOverview } from './document-templates';

/** The administrator performing a change (for the audit trail). */
export interface AdminContext {
  tenantId: string;
  agentId: string;
}

const slug = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', errorMessage: 'Identifiant : minuscules, chiffres et tirets (63 caractères au plus).' };
const label = (max: number, message: string) => ({ type: 'string', default: '', minLength: 1, maxLength: max, pattern: '\\S', errorMessage: message });

const validateDepartment = compileValidator<{ slug: string; name: string; email?: string; escalation?: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: {
    slug,
    name: label(200, 'Saisissez le nom du service.'),
    email: { type: 'string', maxLength: 320, anyOf: [{ format: 'email' }, { maxLength: 0 }], errorMessage: 'Adresse électronique invalide.' },
    escalation: { type: 'string', maxLength: 500 },
  },
});

const validateAgent = compileValidator<{ email: string; name: string; isAdmin?: boolean; isDpo?: boolean; active?: boolean; roles?: string; password?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    email: { type: 'string', default: '', format: 'email', maxLength: 320, errorMessage: 'Adresse électronique invalide.' },
    name: label(200, 'Saisissez le nom de l’agent.'),
    isAdmin: { type: 'boolean' },
    isDpo: { type: 'boolean' },
    active: { type: 'boolean' },
    roles: { type: 'string', maxLength: 2000 },
    password: { type: 'string', maxLength: 200 },
  },
});

const validateTopic = compileValidator<{ slug: string; label: string; department: string; delay: string; businessDays?: boolean; validationRequired?: boolean; active?: boolean }>({
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: {
    slug,
    label: label(200, 'Saisissez le libellé du thème.'),
    department: label(63, 'Choisissez le service.'),
    delay: label(40, 'Saisissez le délai (par exemple P8D pour 8 jours).'),
    businessDays: { type: 'boolean' },
    validationRequired: { type: 'boolean' },
    active: { type: 'boolean' },
  },
});

const validateAnswerTemplate = compileValidator<{ slug: string; title: string; body: string; department?: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: { slug, title: label(200, 'Saisissez le titre du modèle.'), body: label(20000, 'Saisissez le texte du modèle.'), department: { type: 'string', maxLength: 63 } },
});

const validateMessageTemplate = compileValidator<{ key: MessageKey; subject?: string; body: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: {
    key: { enum: Object.keys(DEFAULT_EMAIL_TEMPLATES), errorMessage: 'Message inconnu.' },
    subject: { type: 'string', maxLength: 300, errorMessage: 'L’objet ne doit pas dépasser 300 caractères.' },
    body: label(20000, 'Saisissez le texte du message.'),
  },
});

const validateBranding = compileValidator<{ name: string; primaryColor: string; accentColor?: string; logoUrl?: string; welcomeText?: string; websiteUrl?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    name: label(200, 'Saisissez le nom de la commune.'),
    primaryColor: { type: 'string', default: '', pattern: '^#[0-9a-fA-F]{6}$', errorMessage: 'Couleur au format #RRVVBB.' },
    accentColor: { type: 'string', pattern: '^(#[0-9a-fA-F]{6})?$', errorMessage: 'Couleur au format #RRVVBB.' },
    logoUrl: { type: 'string', maxLength: 500, anyOf: [{ format: 'uri', pattern: '^https?://' }, { maxLength: 0 }], errorMessage: 'Adresse du logo invalide (https://…).' },
    welcomeText: { type: 'string', maxLength: 2000, errorMessage: 'Le texte d’accueil ne doit pas dépasser 2 000 caractères.' },
    websiteUrl: { type: 'string', maxLength: 500, anyOf: [{ format: 'uri', pattern: '^https?://' }, { maxLength: 0 }], errorMessage: 'Adresse du site invalide (https://…).' },
  },
});

/** Parses "66:department, 100:head, 150:administrators" (or an e-mail as recipient) into a validated cascade. */
export function parseCascade(text: string, path = '/escalation'): EscalationStep[] | null {
  if (!text.trim()) return null;
  const steps: EscalationStep[] = [];
  for (const part of text.split(/[,;\n]+/).map((p) => p.trim()).filter(Boolean)) {
    const [percent, ...recipients] = part.split(/[:\s]+/).filter(Boolean);
    steps.push({
      percent: Number(percent),
      recipients: recipients.map((r) => (r.includes('@') ? { email: r } : (r as 'department' | 'head' | 'administrators'))),
    });
  }
  const issues = validateCascade(steps);
  if (issues.length) throw new InputError(issues.map((i) => ({ path, message: `Étape ${i.index + 1} : ${i.message}` })));
  return steps;
}

/** Formats a cascade back to the editable text. */
export function formatCascade(steps: EscalationStep[] | null | undefined): string {
  return (steps ?? []).map((s) => `${s.percent}:${s.recipients.map((r) => (typeof r === 'string' ? r : r.email)).join(' ')}`).join(', ');
}

async function departmentId(em: EntityManager, tenantId: string, departmentSlug: string, path: string): Promise<string> {
  const department = await em.findOne(Department, { tenant: tenantId, slug: departmentSlug });
  if (!department) throw new InputError([{ path, message: `Service inconnu « ${departmentSlug} ».` }]);
  return department.id;
}

function audit(em: EntityManager, ctx: AdminContext, action: string, target: string, before: unknown, after: unknown) {
  return writeAudit(em, { tenantId: ctx.tenantId, agentId: ctx.agentId, action, target, data: { before: before ?? null, after } });
}

/** Creates or updates a department (by slug) and its escalation cascade. */
export async function saveDepartment(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateDepartment(body);
  const escalation = parseCascade(input.escalation ?? '');
  await em.transactional(async (tx) => {
    const current = await tx.findOne(Department, { tenant: ctx.tenantId, slug: input.slug }, { refresh: true });
    const before = current && { name: current.name, email: current.email ?? null, escalation: current.escalation ?? null };
    await tx.upsert(
      Department,
      { id: randomUUID(), tenant: ctx.tenantId, slug: input.slug, name: input.name.trim(), email: input.email || null, escalation, createdAt: raw('now()') },
      { onConflictFields: ['tenant', 'slug'], onConflictAction: 'merge', onConflictMergeFields: ['name', 'email', 'escalation'] },
    );
    await audit(tx, ctx, before ? 'admin.department.update' : 'admin.department.create', input.slug, before, { name: input.name, email: input.email, escalation });
  });
}

/** Creates or updates an agent: name, administrator and data protection officer flags, active flag, roles ("service:rôle, …"), optional new password. */
export async function saveAgent(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateAgent(body);
  const email = input.email.trim().toLowerCase();
  const roles: Array<{ department: string; role: string }> = [];
  const errors: FieldError[] = [];
  for (const part of (input.roles ?? '').split(/[,;\n]+/).map((p) => p.trim()).filter(Boolean)) {
    const [department, role] = part.split(':').map((x) => x.trim());
    if (!department || !['agent', 'validator', 'head'].includes(role)) errors.push({ path: '/roles', message: `Rôle invalide « ${part} » : service:agent, service:validator ou service:head.` });
    else roles.push({ department, role });
  }
  if (input.password) assertStrongPassword(input.password);
  if (errors.length) throw new InputError(errors);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  await em.transactional(async (tx) => {
    const ids = new Map<string, string>();
    for (const r of roles) ids.set(r.department, await departmentId(tx, ctx.tenantId, r.department, '/roles'));
    const [before] = await sql<{ id: string; name: string; is_admin: boolean; is_dpo: boolean; active: boolean }>(tx, 'select id, name, is_admin, is_dpo, active from agent where tenant_id = ? and email = ?', [ctx.tenantId, email]);
    if (!before && !passwordHash) throw new InputError([{ path: '/password', message: 'Un nouvel agent a besoin d’un mot de passe initial.' }]);
    // The audit entry shows a role change as before / after.
    const rolesBefore = before
      ? await sql<{ department: string; role: string }>(tx, 'select d.slug as department, ar.role from agent_role ar join department d on d.id = ar.department_id where ar.agent_id = ? order by d.slug, ar.role', [before.id])
      : [];
    if (before?.id === ctx.agentId && (input.isAdmin === false || input.active === false)) {
      throw new InputError([{ path: '/isAdmin', message: 'Vous ne pouvez pas retirer vos propres droits d’administrateur ni désactiver votre compte.' }]);
    }
    const [row] = await sql<{ id: string }>(
      tx,
      `insert into agent (id, tenant_id, email, name, password_hash, is_admin, is_dpo, active, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, now())
       on conflict (tenant_id, email) do update set name = excluded.name, is_admin = excluded.is_admin, is_dpo = excluded.is_dpo, active = excluded.active,
         password_hash = coalesce(excluded.password_hash, agent.password_hash)
       returning id`,
      [randomUUID(), ctx.tenantId, email, input.name.trim(), passwordHash, input.isAdmin ?? false, input.isDpo ?? false, input.active ?? true],
    );
    await sql(tx, 'delete from agent_role where agent_id = ?', [row.id]);
    for (const r of roles) await sql(tx, 'insert into agent_role (id, agent_id, department_id, role) values (?, ?, ?, ?) on conflict do nothing', [randomUUID(), row.id, ids.get(r.department), r.role]);
    // A deactivated agent or a reset password must not keep old sessions alive.
    if (input.active === false || passwordHash) await destroyAgentSessions(tx, row.id);
    await audit(tx, ctx, before ? 'admin.agent.update' : 'admin.agent.create', email, before ? { name: before.name, isAdmin: before.is_admin, isDpo: before.is_dpo, active: before.active, roles: rolesBefore } : null, {
      name: input.name, isAdmin: input.isAdmin ?? false, isDpo: input.isDpo ?? false, active: input.active ?? true, roles, passwordChanged: !!passwordHash,
    });
  });
}

/** Creates or updates a topic: label, department, delay (ISO 8601), business days, validation, active. */
export async function saveTopic(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateTopic(body);
  try {
    parseDelay(input.delay);
  } catch {
    throw new InputError([{ path: '/delay', message: 'Délai invalide : écrivez-le en ISO 8601, par exemple P8D (8 jours) ou PT48H (48 heures).' }]);
  }
  await em.transactional(async (tx) => {
    const department = await departmentId(tx, ctx.tenantId, input.department, '/department');
    const [before] = await sql(tx, 'select label, department_id, delay, business_days, validation_required, active from topic where tenant_id = ? and slug = ?', [ctx.tenantId, input.slug]);
    await sql(
      tx,
      `insert into topic (id, tenant_id, slug, label, department_id, kind, delay, business_days, validation_required, position, active)
       values (?, ?, ?, ?, ?, 'question', ?, ?, ?, (select coalesce(max(position), 0) + 1 from topic where tenant_id = ?), ?)
       on conflict (tenant_id, slug) do update set label = excluded.label, department_id = excluded.department_id, delay = excluded.delay,
         business_days = excluded.business_days, validation_required = excluded.validation_required, active = excluded.active`,
      [randomUUID(), ctx.tenantId, input.slug, input.label.trim(), department, input.delay, input.businessDays ?? false, input.validationRequired ?? false, ctx.tenantId, input.active ?? true],
    );
    await audit(tx, ctx, before ? 'admin.topic.update' : 'admin.topic.create', input.slug, before, input);
  });
}

/** Creates or updates an answer template (tenant-wide, or for one department). */
export async function saveAnswerTemplate(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateAnswerTemplate(body);
  const problem = templateError(input.body);
  if (problem) throw new InputError([{ path: '/body', message: `Variables mal formées : ${problem.split('\n')[0]}` }]);
  await em.transactional(async (tx) => {
    const department = input.department ? await departmentId(tx, ctx.tenantId, input.department, '/department') : null;
    const current = await tx.findOne(AnswerTemplate, { tenant: ctx.tenantId, slug: input.slug }, { refresh: true });
    const before = current && { title: current.title, body: current.body, department_id: current.department?.id ?? null };
    await tx.upsert(
      AnswerTemplate,
      { id: randomUUID(), tenant: ctx.tenantId, department, slug: input.slug, title: input.title.trim(), body: input.body },
      { onConflictFields: ['tenant', 'slug'], onConflictAction: 'merge', onConflictMergeFields: ['department', 'title', 'body'] },
    );
    await audit(tx, ctx, before ? 'admin.answer_template.update' : 'admin.answer_template.create', input.slug, before, input);
  });
}

/** Deletes an answer template. */
export async function deleteAnswerTemplate(em: EntityManager, ctx: AdminContext, templateSlug: string): Promise<void> {
  const template = await em.findOne(AnswerTemplate, { tenant: ctx.tenantId, slug: templateSlug }, { refresh: true });
  // Of two concurrent deletes, the one that removed no row reports the template as gone.
  if (!template || (await em.nativeDelete(AnswerTemplate, { id: template.id })) === 0) throw new NotFoundError(`Unknown answer template ${templateSlug}`);
  await audit(em, ctx, 'admin.answer_template.delete', templateSlug, { title: template.title, body: template.body }, null);
}

/** Sample values of every message variable, for the live preview. */
export const SAMPLE_VARIABLES = {
  tenantName: 'Ville de Démo',
  reference: '2026-000042',
  subject: 'Horaires de la déchetterie',
  citizenName: 'Jeanne Dupont',
  topicLabel: 'Poser une question',
  departmentName: 'Accueil',
  dueDate: '24/03/2026 à 16:37',
  stateLabel: 'Traitement en cours',
  trackingUrl: 'https://relais.example/t/demo/suivi/2026-000042',
  consoleUrl: 'https://relais.example/console/demo/demandes/2026-000042',
  trackingCode: 'ABCD-EFGH-JKLM-NPQR-STUV',
  answer: 'La déchetterie est ouverte du lundi au samedi de 9 h à 18 h.',
  question: 'Pouvez-vous préciser votre adresse ?',
  note: 'Merci de traiter en priorité.',
  percent: 66,
};

/** Renders a message text with sample variables; template syntax errors are field errors. */
export function previewMessage(body: unknown): { subject: string; body: string } {
  const input = validateMessageTemplate(body);
  const errors: FieldError[] = [];
  for (const [path, text] of [['/subject', input.subject ?? ''], ['/body', input.body]] as const) {
    const problem = templateError(text);
    if (problem) errors.push({ path, message: `Variables mal formées : ${problem.split('\n')[0]}` });
  }
  if (errors.length) throw new InputError(errors);
  return { subject: renderText(input.subject ?? '', SAMPLE_VARIABLES), body: renderText(input.body, SAMPLE_VARIABLES) };
}

/** Saves a tenant's text of an outgoing e-mail (acknowledgement, reminders, answer, notifications). */
export async function saveMessageTemplate(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  previewMessage(body);
  const input = validateMessageTemplate(body);
  await em.transactional(async (tx) => {
    const current = await tx.findOne(MessageTemplate, { tenant: ctx.tenantId, key: input.key, channel: 'email' }, { refresh: true });
    const before = current && { subject: current.subject ?? null, body: current.body };
    await tx.upsert(
      MessageTemplate,
      { id: randomUUID(), tenant: ctx.tenantId, key: input.key, channel: 'email', subject: input.subject ?? null, body: input.body },
      { onConflictFields: ['tenant', 'key', 'channel'], onConflictAction: 'merge', onConflictMergeFields: ['subject', 'body'] },
    );
    await audit(tx, ctx, 'admin.message_template.update', input.key, before, input);
  });
}

/** Saves the municipality's name, colours, logo and portal texts. */
export async function saveBranding(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateBranding(body);
  await em.transactional(async (tx) => {
    const tenant = await tx.findOneOrFail(Tenant, ctx.tenantId, { refresh: true });
    const before = { name: tenant.name, branding: tenant.branding };
    const branding = { ...before.branding, primaryColor: input.primaryColor, accentColor: input.accentColor || undefined, logoUrl: input.logoUrl || undefined, welcomeText: input.welcomeText || undefined, websiteUrl: input.websiteUrl || undefined };
    await tx.nativeUpdate(Tenant, { id: ctx.tenantId }, { name: input.name.trim(), branding, updatedAt: raw('now()') });
    await audit(tx, ctx, 'admin.branding.update', 'branding', before, { name: input.name, branding });
  });
}

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
  return {
    name: tenant.name,
    branding: tenant.branding as unknown as Record<string, string | undefined>,
    departments: departments.map((d) => ({ slug: d.slug, name: d.name, email: d.email ?? null, escalation: formatCascade(d.escalation) })),
    agents: agents.map((a) => ({ email: a.email, name: a.name, isAdmin: a.isAdmin, isDpo: a.isDpo, active: a.active, roles: rolesOf(a) })),
    topics: topics.map((t) => ({
      slug: t.slug, label: t.label, department: t.department.slug, delay: t.delay, businessDays: t.businessDays, validationRequired: t.validationRequired, active: t.active,
    })),
    answerTemplates,
    messageTemplates,
    documentTemplates,
  };
}
