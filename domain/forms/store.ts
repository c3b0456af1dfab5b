import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { compileForm, type CompiledForm } from '@/forms/runtime/compile';
import { validateDefinition } from '@/forms/runtime/definition';
import type { FormDefinition } from '@/forms/runtime/types';
import { SHIPPED_FORMS } from '@/forms/shipped';
import { query } from '@/domain/sql';
import { InputError } from '@/domain/validation';
import { checkProcessDefinition } from '@/domain/processes/check';
import { withForm } from '@/domain/processes/context';
import { contextFor, ensureShippedProcesses, latestProcess } from '@/domain/processes/store';

/** A stored version of a form definition; tenantId null means shipped with the product. */
export interface StoredForm {
  id: string;
  tenantId: string | null;
  slug: string;
  version: number;
  definition: FormDefinition;
  sha256: string;
  createdAt: Date;
}

/** What an import did. */
export interface FormImportResult {
  slug: string;
  version: number;
  created: boolean;
  previousVersion?: number;
}

interface FormRow {
  id: string;
  tenant_id: string | null;
  slug: string;
  version: number;
  definition: FormDefinition;
  sha256: string;
  created_at: Date;
}

function toStored(row: FormRow): StoredForm {
  return { id: row.id, tenantId: row.tenant_id, slug: row.slug, version: row.version, definition: row.definition, sha256: row.sha256, createdAt: new Date(row.created_at) };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Fingerprint of a definition's content; `version` and `$schema` are left out so renumbering is not a change. */
export function definitionFingerprint(definition: FormDefinition): string {
  const { version: _version, $schema: _schema, ...content } = definition;
  return createHash('sha256').update(canonical(content)).digest('hex');
}

/**
 * Stores a definition as a new version when its content differs from the latest stored one.
 * Versions count per slug across tenants, so (slug, version) names one definition for the request record.
 */
export async function importFormDefinition(em: EntityManager, value: unknown, tenantId: string | null = null): Promise<FormImportResult> {
  const check = validateDefinition(value);
  if (!check.valid) throw new InputError(check.errors);
  const definition = value as FormDefinition;
  if (definition.process) await checkFormProcess(em, definition, tenantId);
  const sha256 = definitionFingerprint(definition);
  return em.transactional(async (tx) => {
    // Serialises imports of one slug so two designers cannot take the same version number.
    await query(tx, 'select pg_advisory_xact_lock(hashtext(?))', [`form:${definition.slug}`]);
    const [latest] = await query<{ version: number; sha256: string }>(
      tx,
      'select version, sha256 from form_definition where slug = ? and tenant_id is not distinct from ? order by version desc limit 1',
      [definition.slug, tenantId],
    );
    if (latest?.sha256 === sha256) return { slug: definition.slug, version: latest.version, created: false };
    const [{ max }] = await query<{ max: number | null }>(tx, 'select max(version) as max from form_definition where slug = ?', [definition.slug]);
    const version = Math.max(definition.version, (max ?? 0) + 1);
    await query(tx, 
      'insert into form_definition (id, tenant_id, slug, version, definition, sha256, created_at) values (?, ?, ?, ?, ?, ?, now())',
      [randomUUID(), tenantId, definition.slug, version, JSON.stringify({ ...definition, version }), sha256],
    );
    return { slug: definition.slug, version, created: true, previousVersion: latest?.version };
  });
}

/**
 * A form's process must exist for its tenant (a shipped form: among the shipped processes), and fit the form: its
 * expressions read fields the form has, its export uses the form's connector. InputError naming `/process` otherwise.
 */
async function checkFormProcess(em: EntityManager, form: FormDefinition, tenantId: string | null): Promise<void> {
  const slug = form.process!;
  const process = await latestProcess(em, tenantId, slug);
  if (!process) {
    throw new InputError([{ path: '/process', message: `Processus inconnu « ${slug} » : importez-le d’abord (npx relais process:import).` }]);
  }
  const { errors } = checkProcessDefinition(process.definition, withForm(await contextFor(em, tenantId), form));
  if (errors.length > 0) {
    throw new InputError(
      errors.map((e) => ({ path: '/process', message: `Le processus « ${slug} » (version ${process.version}) ne convient pas à ce formulaire : ${e.path || '/'} ${e.message}` })),
    );
  }
}

/** The latest version of a form for a tenant: its own versions win over the shipped ones. */
export async function latestForm(em: EntityManager, tenantId: string, slug: string): Promise<StoredForm | undefined> {
  const [row] = await query<FormRow>(
    em,
    `select * from form_definition where slug = ? and (tenant_id = ? or tenant_id is null)
      order by (tenant_id is null), version desc limit 1`,
    [slug, tenantId],
  );
  return row ? toStored(row) : undefined;
}

/** One exact version of a form, as a request submitted with it needs. */
export async function formAtVersion(em: EntityManager, tenantId: string, slug: string, version: number): Promise<StoredForm | undefined> {
  const [row] = await query<FormRow>(
    em,
    'select * from form_definition where slug = ? and version = ? and (tenant_id = ? or tenant_id is null) order by (tenant_id is null) limit 1',
    [slug, version, tenantId],
  );
  return row ? toStored(row) : undefined;
}

/** One line of the administrators' form list. */
export interface FormVersionSummary {
  slug: string;
  version: number;
  title: string;
  kind: string;
  scope: 'commune' | 'produit';
  createdAt: Date;
  requests: number;
  current: boolean;
  topic?: string;
}

/** Every stored version of the forms a tenant can use, newest first per slug, with how many requests used each. */
export async function listFormVersions(em: EntityManager, tenantId: string): Promise<FormVersionSummary[]> {
  const rows = await query<FormRow & { requests: number; topic: string | null }>(
    em,
    `select f.*, (select count(*)::int from request r join topic tp on tp.id = r.topic_id
                   where r.tenant_id = ? and tp.form = f.slug and r.form_version = f.version) as requests,
            (select tp.label from topic tp where tp.tenant_id = ? and tp.form = f.slug order by tp.position limit 1) as topic
       from form_definition f where f.tenant_id = ? or f.tenant_id is null
      order by f.slug, (f.tenant_id is null), f.version desc`,
    [tenantId, tenantId, tenantId],
  );
  const seen = new Set<string>();
  return rows.map((row) => {
    const current = !seen.has(row.slug);
    seen.add(row.slug);
    return {
      slug: row.slug,
      version: row.version,
      title: row.definition.title,
      kind: row.definition.kind,
      scope: row.tenant_id ? 'commune' : 'produit',
      createdAt: new Date(row.created_at),
      requests: row.requests,
      current,
      topic: row.topic ?? undefined,
    };
  });
}

const shippedSync = new WeakMap<MikroORM, Promise<FormImportResult[]>>();

/** Stores the shipped definitions (once per process and database); unchanged ones are not stored again. */
export function ensureShippedForms(orm: MikroORM): Promise<FormImportResult[]> {
  let done = shippedSync.get(orm);
  if (!done) {
    done = (async () => {
      // Shipped forms name shipped processes, which must be stored first.
      await ensureShippedProcesses(orm);
      const results: FormImportResult[] = [];
      for (const definition of SHIPPED_FORMS) results.push(await importFormDefinition(orm.em.fork(), definition, null));
      return results;
    })();
    done.catch(() => shippedSync.delete(orm));
    shippedSync.set(orm, done);
  }
  return done;
}

const compiled = new Map<string, CompiledForm>();

/** The compiled validator of a stored version, cached by row id (stored versions never change). */
export function compileStoredForm(form: StoredForm): CompiledForm {
  let validator = compiled.get(form.id);
  if (!validator) {
    validator = compileForm(form.definition);
    compiled.set(form.id, validator);
  }
  return validator;
}
