/**
 * The process designer's administration: the processes a tenant may use with their versions, one process (diagram,
 * steps), the settings a municipality changes most (delays, reminders, validators, departments, templates), checked
 * like the command line against the tenant's names, previewed, then published as a tenant-owned version.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { createWorkingCalendar } from '@/domain/deadlines/calendar';
import { computeDueAt } from '@/domain/deadlines/delay';
import type { TenantSettings } from '@/domain/entities';
import { frenchDelay, frenchLongDateTime } from '@/domain/format/french';
import { checkProcessDefinition } from '@/domain/processes/check';
import { tenantContext } from '@/domain/processes/context';
import type { ProcessDefinition, ProcessStep } from '@/domain/processes/definition';
import { STEP_KIND_LABELS, diagramEdges, processSvg } from '@/domain/processes/diagram';
import { importProcessDefinition, latestProcess, processAtVersion, processFingerprint, type StoredProcess } from '@/domain/processes/store';
import { query } from '@/domain/sql';
import { ConflictError, InputError, NotFoundError, compileValidator, type FieldError } from '@/domain/validation';
import { formatCascade, parseCascade } from './cascade';
import { auditAdminChange, type AdminContext } from './context';

/** Who a version belongs to: the municipality, or the product (shipped). */
export type ProcessScope = 'commune' | 'produit';

/** One process of the Processus screen. */
export interface ProcessListItem {
  slug: string;
  title: string;
  kind: string;
  current: { version: number; scope: ProcessScope };
  versions: Array<{ version: number; scope: ProcessScope; createdAt: Date; author: string | null; sha256: string }>;
  /** Forms naming the process (their latest version the tenant sees), and the tenant's topics using those forms. */
  forms: Array<{ slug: string; title: string }>;
  topics: Array<{ slug: string; label: string }>;
}

interface VersionRow {
  slug: string;
  version: number;
  tenant_id: string | null;
  title: string;
  kind: string;
  sha256: string;
  created_at: Date;
  author: string | null;
}

/** Every process the tenant may use (its own versions first, then the shipped ones), with what names it. */
export async function listProcesses(em: EntityManager, tenantId: string): Promise<ProcessListItem[]> {
  const [rows, forms, topics] = await Promise.all([
    query<VersionRow>(
      em,
      `select p.slug, p.version, p.tenant_id, p.definition->>'title' as title, p.definition->>'kind' as kind, p.sha256, p.created_at, a.name as author
         from process_definition p left join agent a on a.id = p.created_by
        where p.tenant_id = ? or p.tenant_id is null
        order by p.slug, (p.tenant_id is null), p.version desc`,
      [tenantId],
    ),
    query<{ slug: string; title: string; process: string | null }>(
      em,
      `select distinct on (slug) slug, definition->>'title' as title, definition->>'process' as process
         from form_definition where tenant_id = ? or tenant_id is null order by slug, (tenant_id is null), version desc`,
      [tenantId],
    ),
    query<{ slug: string; label: string; form: string }>(em, 'select slug, label, form from topic where tenant_id = ? and form is not null order by position, slug', [tenantId]),
  ]);
  const bySlug = new Map<string, ProcessListItem>();
  for (const row of rows) {
    const scope: ProcessScope = row.tenant_id ? 'commune' : 'produit';
    const version = { version: row.version, scope, createdAt: new Date(row.created_at), author: row.author, sha256: row.sha256 };
    const entry = bySlug.get(row.slug);
    if (entry) entry.versions.push(version);
    else bySlug.set(row.slug, { slug: row.slug, title: row.title, kind: row.kind, current: { version: row.version, scope }, versions: [version], forms: [], topics: [] });
  }
  for (const form of forms) {
    const entry = form.process ? bySlug.get(form.process) : undefined;
    if (!entry) continue;
    entry.forms.push({ slug: form.slug, title: form.title });
    for (const topic of topics) if (topic.form === form.slug) entry.topics.push({ slug: topic.slug, label: topic.label });
  }
  return [...bySlug.values()];
}

/** A step as the step table shows it. */
export interface StepRow {
  id: string;
  label: string;
  kind: string;
  delay: string | null;
  escalation: string | null;
  /** The steps it leads to, with the branch name when it has two ways out. */
  next: Array<{ id: string; label: string; branch: string }>;
  /** Department, templates, validators, reminder: what this kind of step names. */
  details: string[];
}

/** The step table of a definition. */
export function stepRows(definition: ProcessDefinition): StepRow[] {
  const labels = new Map(definition.steps.map((s) => [s.id, s.label]));
  const edges = diagramEdges(definition);
  return definition.steps.map((step) => ({
    id: step.id,
    label: step.label,
    kind: STEP_KIND_LABELS[step.kind],
    delay: step.delay ? frenchDelay(step.delay.delay, step.delay.businessDays) : null,
    escalation: step.escalation?.length ? formatCascade(step.escalation) : null,
    next: edges.filter((e) => e.from === step.id).map((e) => ({ id: e.to, label: labels.get(e.to) ?? e.to, branch: e.label })),
    details: stepDetails(step),
  }));
}

function stepDetails(step: ProcessStep): string[] {
  switch (step.kind) {
    case 'acknowledge':
      return [`Canaux : ${step.channels.join(', ')}`];
    case 'route':
      return [`Service : ${step.department}`, ...(step.rules ?? []).map((r) => `Si ${r.when} : ${r.department}`)];
    case 'answer':
      return step.templates ? [`Modèles : ${step.templates.join(', ')}`] : [];
    case 'validate':
      return step.levels.map((l, i) => `Niveau ${i + 1} (${l.label}) : ${[l.role === 'administrator' ? 'un administrateur' : l.role === 'validator' ? 'un valideur du service' : '', ...(l.validators ?? [])].filter(Boolean).join(', ')}`);
    case 'request_information':
      return [`Modèle : ${step.template ?? 'rédigé par l’agent'}`, `Sans réponse après ${step.timeout}`, ...(step.reminderAfter ? [`Relance après ${step.reminderAfter}`] : [])];
    case 'issue_document':
      return [`Modèle de document : ${step.template}`];
    case 'export':
      return [`Connecteur : ${step.connector}`];
    case 'collect_payment':
      return [`Montant : ${step.amount}`, `Délai de paiement : ${step.timeout}`];
    case 'notify':
      return [`Modèle : ${step.template}`, `Canal : ${step.channel}`];
    case 'wait':
      return [step.duration ? `Durée : ${step.duration}` : `Jusqu’à : ${step.until ?? ''}`];
    case 'close':
      return [`Issue : ${step.outcome}`];
    default:
      return [];
  }
}

/** The settings of one step the screen edits; only those its kind has are present. */
export interface StepSettings {
  id: string;
  delay: { delay: string; businessDays: boolean };
  /** The reminder cascade as administrators type it: "66:department, 100:head". */
  escalation: string;
  department?: string;
  rules?: Array<{ department: string }>;
  levels?: Array<{ role: '' | 'validator' | 'administrator'; validators: string[] }>;
  template?: string;
  timeout?: string;
  reminderAfter?: string;
}

/** What the screen edits; the paths of its errors are the definition's (the cascades' errors name the whole text). */
export interface ProcessSettings {
  /** The version the edit started from: another publication since is refused (409). */
  baseVersion?: number;
  guaranteedDelay: { delay: string; businessDays: boolean };
  escalation?: string;
  steps?: StepSettings[];
}

/** The editable settings of a definition, as the form starts. */
export function settingsOf(definition: ProcessDefinition, baseVersion?: number): ProcessSettings {
  return {
    baseVersion,
    guaranteedDelay: { ...definition.guaranteedDelay },
    escalation: formatCascade(definition.escalation),
    steps: definition.steps.map((step) => {
      const out: StepSettings = { id: step.id, delay: step.delay ? { ...step.delay } : { delay: '', businessDays: false }, escalation: formatCascade(step.escalation) };
      if (step.kind === 'route') {
        out.department = step.department;
        if (step.rules) out.rules = step.rules.map((r) => ({ department: r.department }));
      }
      if (step.kind === 'validate') out.levels = step.levels.map((l) => ({ role: l.role ?? '', validators: l.validators ?? [] }));
      if (step.kind === 'notify') out.template = step.template;
      if (step.kind === 'request_information') {
        out.template = step.template ?? '';
        out.timeout = step.timeout;
        out.reminderAfter = step.reminderAfter ?? '';
      }
      return out;
    }),
  };
}

const text = (max: number) => ({ type: 'string', maxLength: max });
const delayObject = {
  type: 'object',
  additionalProperties: false,
  required: ['delay', 'businessDays'],
  properties: { delay: text(40), businessDays: { type: 'boolean' } },
};

const validateSettings = compileValidator<ProcessSettings>({
  type: 'object',
  additionalProperties: false,
  required: ['guaranteedDelay'],
  properties: {
    baseVersion: { type: 'integer', minimum: 1 },
    guaranteedDelay: delayObject,
    escalation: text(2000),
    steps: {
      type: 'array',
      maxItems: 200,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: text(63),
          delay: delayObject,
          escalation: text(2000),
          department: text(63),
          rules: { type: 'array', maxItems: 100, items: { type: 'object', additionalProperties: false, required: ['department'], properties: { department: text(63) } } },
          levels: {
            type: 'array',
            maxItems: 20,
            items: {
              type: 'object',
              additionalProperties: false,
              properties: { role: { enum: ['', 'validator', 'administrator'] }, validators: { type: 'array', maxItems: 50, items: text(320) } },
            },
          },
          template: text(63),
          timeout: text(40),
          reminderAfter: text(40),
        },
      },
    },
  },
});

const notForKind = (path: string, step: ProcessStep): FieldError => ({ path, message: `Ce réglage ne s’applique pas à une étape de type « ${STEP_KIND_LABELS[step.kind]} ».` });

/** Applies edited settings to a copy of a definition; the format and meaning are checked afterwards. */
export function applySettings(definition: ProcessDefinition, body: unknown): { definition: ProcessDefinition; settings: ProcessSettings } {
  const settings = validateSettings(body);
  const errors: FieldError[] = [];
  const edited = structuredClone(definition);
  delete edited.$schema;
  edited.guaranteedDelay = { delay: settings.guaranteedDelay.delay.trim(), businessDays: settings.guaranteedDelay.businessDays };
  const cascade = (value: string, path: string) => {
    try {
      return parseCascade(value, path);
    } catch (error) {
      if (error instanceof InputError) errors.push(...error.errors);
      return null;
    }
  };
  if (settings.escalation !== undefined) {
    const steps = cascade(settings.escalation, '/escalation');
    if (steps) edited.escalation = steps;
    else delete edited.escalation;
  }
  (settings.steps ?? []).forEach((input, i) => {
    const path = `/steps/${i}`;
    const step = edited.steps[i];
    if (!step || step.id !== input.id) {
      errors.push({ path: `${path}/id`, message: 'Cette étape n’est pas celle de la version affichée : rechargez la page.' });
      return;
    }
    if (input.delay) {
      if (input.delay.delay.trim()) step.delay = { delay: input.delay.delay.trim(), businessDays: input.delay.businessDays };
      else delete step.delay;
    }
    if (input.escalation !== undefined) {
      const steps = cascade(input.escalation, `${path}/escalation`);
      if (steps) step.escalation = steps;
      else delete step.escalation;
    }
    if (input.department !== undefined || input.rules !== undefined) {
      if (step.kind !== 'route') errors.push(notForKind(`${path}/${input.department !== undefined ? 'department' : 'rules'}`, step));
      else {
        if (input.department !== undefined) step.department = input.department.trim();
        (input.rules ?? []).forEach((rule, j) => {
          const target = step.rules?.[j];
          if (target) target.department = rule.department.trim();
          else errors.push({ path: `${path}/rules/${j}`, message: 'Cette règle n’existe pas dans la version affichée.' });
        });
      }
    }
    if (input.levels !== undefined) {
      if (step.kind !== 'validate') errors.push(notForKind(`${path}/levels`, step));
      else
        input.levels.forEach((level, j) => {
          const target = step.levels[j];
          if (!target) {
            errors.push({ path: `${path}/levels/${j}`, message: 'Ce niveau n’existe pas dans la version affichée.' });
            return;
          }
          if (level.role !== undefined) {
            if (level.role) target.role = level.role;
            else delete target.role;
          }
          if (level.validators !== undefined) {
            const named = level.validators.map((v) => v.trim()).filter(Boolean);
            if (named.length) target.validators = named;
            else delete target.validators;
          }
        });
    }
    if (input.template !== undefined) {
      if (step.kind === 'notify') step.template = input.template.trim();
      else if (step.kind === 'request_information') {
        if (input.template.trim()) step.template = input.template.trim();
        else delete step.template;
      } else errors.push(notForKind(`${path}/template`, step));
    }
    if (input.timeout !== undefined || input.reminderAfter !== undefined) {
      if (step.kind !== 'request_information') errors.push(notForKind(`${path}/${input.timeout !== undefined ? 'timeout' : 'reminderAfter'}`, step));
      else {
        if (input.timeout !== undefined) step.timeout = input.timeout.trim();
        if (input.reminderAfter !== undefined) {
          if (input.reminderAfter.trim()) step.reminderAfter = input.reminderAfter.trim();
          else delete step.reminderAfter;
        }
      }
    }
  });
  if (errors.length) throw new InputError(errors);
  return { definition: edited, settings };
}

/** A cascade's errors name the whole text the administrator typed, not one of its items. */
function fieldPath(path: string): string {
  return path.replace(/^((?:\/steps\/\d+)?\/escalation)\/.*$/, '$1');
}

/** The process a tenant's new requests use (its own latest version, else the shipped one); 404 otherwise. */
async function currentProcess(em: EntityManager, tenantId: string, slug: string): Promise<StoredProcess> {
  const current = /^[a-z0-9][a-z0-9-]{0,62}$/.test(slug) ? await latestProcess(em, tenantId, slug) : undefined;
  if (!current) throw new NotFoundError(`Unknown process ${slug}`);
  return current;
}

/** One version of a process the tenant may use (default: the current one); 404 for another tenant's or an unknown one. */
export async function processVersion(em: EntityManager, tenantId: string, slug: string, version?: number): Promise<StoredProcess> {
  if (version === undefined) return currentProcess(em, tenantId, slug);
  const stored = Number.isSafeInteger(version) && version > 0 && /^[a-z0-9][a-z0-9-]{0,62}$/.test(slug) ? await processAtVersion(em, tenantId, slug, version) : undefined;
  if (!stored) throw new NotFoundError(`Unknown process version ${slug} ${version}`);
  return stored;
}

/** Applies the settings to the current version and checks the result against the tenant's names (InputError with paths). */
async function edit(em: EntityManager, tenantId: string, slug: string, body: unknown) {
  const current = await currentProcess(em, tenantId, slug);
  const { definition, settings } = applySettings(current.definition, body);
  if (settings.baseVersion !== undefined && settings.baseVersion !== current.version) {
    throw new ConflictError(`La version ${current.version} de ce processus a été publiée depuis l’ouverture de la page : rechargez-la avant de modifier.`);
  }
  const context = await tenantContext(em, tenantId);
  const check = checkProcessDefinition(definition, context);
  if (!check.definition) throw new InputError(check.errors.map((e) => ({ path: fieldPath(e.path), message: e.message })));
  return { current, definition: check.definition, context, unchanged: processFingerprint(check.definition) === current.sha256 };
}

/** What the preview shows before publishing. */
export interface ProcessPreview {
  svg: string;
  steps: StepRow[];
  guaranteedDelay: string;
  /** The guaranteed date of a request filed now, in the tenant's calendar (ISO) and in French. */
  dueAt: string;
  dueAtText: string;
  /** The edit changes nothing: publishing would store no new version. */
  unchanged: boolean;
}

async function calendarOf(em: EntityManager, tenantId: string) {
  const [row] = await query<{ settings: TenantSettings }>(em, 'select settings from tenant where id = ?', [tenantId]);
  const settings = row?.settings;
  return createWorkingCalendar({ timeZone: settings?.timeZone, closureDays: settings?.closureDays ?? [] });
}

/** Applies and checks the settings, and shows the result: diagram, steps, and the guaranteed date of a request filed at `now`. */
export async function previewProcess(em: EntityManager, tenantId: string, slug: string, body: unknown, now = new Date()): Promise<ProcessPreview> {
  const { definition, unchanged } = await edit(em, tenantId, slug, body);
  const calendar = await calendarOf(em, tenantId);
  const due = computeDueAt({ receivedAt: now, delay: definition.guaranteedDelay.delay, businessDays: definition.guaranteedDelay.businessDays, calendar });
  return {
    svg: processSvg(definition),
    steps: stepRows(definition),
    guaranteedDelay: frenchDelay(definition.guaranteedDelay.delay, definition.guaranteedDelay.businessDays),
    dueAt: due.toISOString(),
    dueAtText: frenchLongDateTime(due, calendar.timeZone),
    unchanged,
  };
}

/** What a publication did. */
export interface ProcessPublication {
  slug: string;
  version: number;
  created: boolean;
  previousVersion: number;
  message: string;
}

/**
 * Publishes the edited current version as a new version owned by the tenant (a shipped process becomes the tenant's
 * copy, same slug). The same content as the current version stores nothing. Audited as `admin.process.publish`.
 */
export async function publishProcess(em: EntityManager, ctx: AdminContext, slug: string, body: unknown): Promise<ProcessPublication> {
  const { current, definition, context, unchanged } = await edit(em, ctx.tenantId, slug, body);
  if (unchanged) {
    return { slug, version: current.version, created: false, previousVersion: current.version, message: `Aucune modification : la version ${current.version} reste en vigueur, aucune nouvelle version n’a été créée.` };
  }
  return em.transactional(async (tx) => {
    const result = await importProcessDefinition(tx, definition, { tenantId: ctx.tenantId, createdBy: ctx.agentId, context });
    if (!result.created) {
      return { slug, version: result.version, created: false, previousVersion: current.version, message: `Aucune modification : la version ${result.version} reste en vigueur, aucune nouvelle version n’a été créée.` };
    }
    await auditAdminChange(
      tx,
      ctx,
      'admin.process.publish',
      slug,
      { version: current.version, scope: current.tenantId ? 'commune' : 'produit', settings: settingsOf(current.definition) },
      { version: result.version, scope: 'commune', settings: settingsOf(definition) },
    );
    return {
      slug,
      version: result.version,
      created: true,
      previousVersion: current.version,
      message: `Version ${result.version} publiée (la version ${current.version} reste celle des demandes qui l’utilisent déjà).`,
    };
  });
}

/** A stored version as a JSON file to download, which `process:validate` and `process:import` read back. */
export function processExport(stored: StoredProcess): { filename: string; body: string } {
  const { $schema: _schema, ...definition } = stored.definition;
  return { filename: `${stored.slug}-v${stored.version}.json`, body: `${JSON.stringify(definition, null, 2)}\n` };
}
