/**
 * Versioned process definitions, like forms: an import whose content is unchanged stores nothing, otherwise it becomes
 * the next version of its slug. Versions count per slug across tenants, so (slug, version) names one definition for a
 * running request. A tenant's own versions win over the shipped ones (tenant null).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { SHIPPED_PROCESSES } from '@/processes/shipped';
import { query } from '@/domain/sql';
import { InputError } from '@/domain/validation';
import { checkProcessDefinition, type ProcessContext } from './check';
import { productContext, tenantContext } from './context';
import type { ProcessDefinition } from './definition';

/** A stored version of a process definition; tenantId null means shipped with the product. */
export interface StoredProcess {
  id: string;
  tenantId: string | null;
  slug: string;
  version: number;
  definition: ProcessDefinition;
  sha256: string;
  createdAt: Date;
  createdBy: string | null;
}

/** What an import did. */
export interface ProcessImportResult {
  slug: string;
  version: number;
  created: boolean;
  previousVersion?: number;
}

interface ProcessRow {
  id: string;
  tenant_id: string | null;
  slug: string;
  version: number;
  definition: ProcessDefinition;
  sha256: string;
  created_at: Date;
  created_by: string | null;
}

function toStored(row: ProcessRow): StoredProcess {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    slug: row.slug,
    version: row.version,
    definition: row.definition,
    sha256: row.sha256,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
  };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Fingerprint of a definition's content (key order and `$schema` do not count). */
export function processFingerprint(definition: ProcessDefinition): string {
  const { $schema: _schema, ...content } = definition;
  return createHash('sha256').update(canonical(content)).digest('hex');
}

/** The names a definition is checked against: the tenant's when it has one, the product's otherwise. */
export function contextFor(em: EntityManager, tenantId: string | null): Promise<ProcessContext> {
  return tenantId ? tenantContext(em, tenantId) : Promise.resolve(productContext());
}

/** Options of importProcessDefinition. */
export interface ProcessImportOptions {
  /** Tenant the version belongs to; null: shipped, every tenant sees it. */
  tenantId?: string | null;
  /** Agent publishing it (console); absent for the command line. */
  createdBy?: string;
  /** Names to check against; default: contextFor(tenantId). */
  context?: ProcessContext;
}

/**
 * Checks a definition (format and meaning, against the tenant's names) and stores it as a new version when its content
 * differs from the latest stored one for that tenant. InputError on refusal: nothing is written.
 */
export async function importProcessDefinition(em: EntityManager, value: unknown, options: ProcessImportOptions = {}): Promise<ProcessImportResult> {
  const tenantId = options.tenantId ?? null;
  const check = checkProcessDefinition(value, options.context ?? (await contextFor(em, tenantId)));
  if (!check.definition) throw new InputError(check.errors);
  const { $schema: _schema, ...definition } = check.definition;
  const sha256 = processFingerprint(definition);
  return em.transactional(async (tx) => {
    // Serialises imports of one slug so two designers cannot take the same version number.
    await query(tx, 'select pg_advisory_xact_lock(hashtext(?))', [`process:${definition.slug}`]);
    const [latest] = await query<{ version: number; sha256: string }>(
      tx,
      'select version, sha256 from process_definition where slug = ? and tenant_id is not distinct from ? order by version desc limit 1',
      [definition.slug, tenantId],
    );
    if (latest?.sha256 === sha256) return { slug: definition.slug, version: latest.version, created: false };
    const [{ max }] = await query<{ max: number | null }>(tx, 'select max(version) as max from process_definition where slug = ?', [definition.slug]);
    const version = (max ?? 0) + 1;
    await query(
      tx,
      'insert into process_definition (id, tenant_id, slug, version, definition, sha256, created_at, created_by) values (?, ?, ?, ?, ?, ?, now(), ?)',
      [randomUUID(), tenantId, definition.slug, version, JSON.stringify(definition), sha256, options.createdBy ?? null],
    );
    return { slug: definition.slug, version, created: true, previousVersion: latest?.version };
  });
}

/** The process new requests of a tenant run: its own latest version, else the latest shipped one. */
export async function latestProcess(em: EntityManager, tenantId: string | null, slug: string): Promise<StoredProcess | undefined> {
  const [row] = await query<ProcessRow>(
    em,
    `select * from process_definition where slug = ? and (tenant_id = ? or tenant_id is null)
      order by (tenant_id is null), version desc limit 1`,
    [slug, tenantId],
  );
  return row ? toStored(row) : undefined;
}

/** One exact version, as a running request names it (the tenant's own or a shipped one). */
export async function processAtVersion(em: EntityManager, tenantId: string | null, slug: string, version: number): Promise<StoredProcess | undefined> {
  const [row] = await query<ProcessRow>(
    em,
    'select * from process_definition where slug = ? and version = ? and (tenant_id = ? or tenant_id is null) order by (tenant_id is null) limit 1',
    [slug, version, tenantId],
  );
  return row ? toStored(row) : undefined;
}

/** One process a tenant can use, with all its stored versions (newest first) and the one new requests run. */
export interface ProcessVersions {
  slug: string;
  title: string;
  current: { version: number; scope: 'commune' | 'produit' };
  versions: Array<{ version: number; scope: 'commune' | 'produit'; title: string; createdAt: Date; createdBy: string | null }>;
}

/** Every process a tenant can use (its own and the shipped ones), by slug, with its versions. */
export async function listProcessVersions(em: EntityManager, tenantId: string | null): Promise<ProcessVersions[]> {
  const rows = await query<ProcessRow>(
    em,
    `select * from process_definition where tenant_id = ? or tenant_id is null
      order by slug, (tenant_id is null), version desc`,
    [tenantId],
  );
  const bySlug = new Map<string, ProcessVersions>();
  for (const row of rows) {
    const scope = row.tenant_id ? 'commune' : 'produit';
    const version = { version: row.version, scope, title: row.definition.title, createdAt: new Date(row.created_at), createdBy: row.created_by } as const;
    const entry = bySlug.get(row.slug);
    if (entry) entry.versions.push(version);
    else bySlug.set(row.slug, { slug: row.slug, title: row.definition.title, current: { version: row.version, scope }, versions: [version] });
  }
  return [...bySlug.values()];
}

/** Whether a tenant (or, with null, the product) has a process of that slug. */
export async function processExists(em: EntityManager, tenantId: string | null, slug: string): Promise<boolean> {
  const [row] = await query<{ found: number }>(
    em,
    'select 1 as found from process_definition where slug = ? and (tenant_id is null or tenant_id = ?) limit 1',
    [slug, tenantId],
  );
  return row !== undefined;
}

const shippedSync = new WeakMap<MikroORM, Promise<ProcessImportResult[]>>();

/** Stores the shipped processes (once per process and database); unchanged ones are not stored again. */
export function ensureShippedProcesses(orm: MikroORM): Promise<ProcessImportResult[]> {
  let done = shippedSync.get(orm);
  if (!done) {
    done = (async () => {
      const results: ProcessImportResult[] = [];
      for (const definition of SHIPPED_PROCESSES) results.push(await importProcessDefinition(orm.em.fork(), definition, { tenantId: null }));
      return results;
    })();
    done.catch(() => shippedSync.delete(orm));
    shippedSync.set(orm, done);
  }
  return done;
}
