import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { ExportOptions } from '@/forms/runtime/types';
import { formAtVersion, latestForm } from '@/domain/forms/store';
import { query } from '@/domain/sql';
import { createExportDatabases } from '@/integrations/exports/database';
import type { ExportAttempt } from '@/domain/exports/attempts';
import { dropExportFile, exportFolder, type ExportRecord } from '@/integrations/exports/file-drop';
import { deliverWebhook } from '@/integrations/exports/webhook';

/** Where connectors deliver; the worker builds this from its environment once. */
export interface ExportActivityDeps {
  orm: MikroORM;
  /** Root folder of file drops; a form's `directory` is resolved under it. */
  exportDir: string;
  /** The business database of `database` connectors. */
  exportDatabaseUrl?: string;
  /** Webhook secrets by name (`secretSetting` of the form); `default` when the form names none. */
  webhookSecrets: Record<string, string>;
  now?: () => Date;
}

/** Input of exportRegistration; `connector` overrides the form's (tests, replays to another target). */
export interface ExportInput {
  tenantId: string;
  requestId: string;
  idempotencyKey: string;
  connector?: ExportOptions;
}

/** What an export did. */
export interface ExportResult {
  connector: ExportOptions['connector'] | 'none';
  target: string;
  status: 'exported' | 'already_exported' | 'skipped';
}

/** The export activities, bound to their dependencies. */
export function createExportActivities(deps: ExportActivityDeps) {
  const databases = createExportDatabases();
  const now = deps.now ?? (() => new Date());

  async function loadRecord(em: EntityManager, input: ExportInput): Promise<{ record: ExportRecord; options?: ExportOptions }> {
    const [row] = await query<{ reference: string; tenant: string; form: string | null; form_version: number | null; form_data: Record<string, unknown> | null; received_at: Date }>(
      em,
      `select r.reference, t.slug as tenant, tp.form, r.form_version, r.form_data, r.received_at
         from request r join tenant t on t.id = r.tenant_id join topic tp on tp.id = r.topic_id where r.id = ? and r.tenant_id = ?`,
      [input.requestId, input.tenantId],
    );
    if (!row) throw ApplicationFailure.nonRetryable(`Unknown request ${input.requestId}`, 'UnknownRequest');
    const stored = row.form
      ? row.form_version
        ? await formAtVersion(em, input.tenantId, row.form, row.form_version)
        : await latestForm(em, input.tenantId, row.form)
      : undefined;
    const record: ExportRecord = {
      reference: row.reference,
      tenant: row.tenant,
      form: row.form ?? '',
      formVersion: row.form_version,
      submittedAt: new Date(row.received_at).toISOString(),
      data: row.form_data ?? {},
    };
    return { record, options: input.connector ?? stored?.definition.workflow.export };
  }

  async function recordAttempt(em: EntityManager, input: ExportInput, connector: string, target: string, outcome: Omit<ExportAttempt, 'connector' | 'target' | 'attempt' | 'at'>) {
    await em.getConnection().execute(
      `insert into export_attempt (id, tenant_id, request_id, connector, target, attempt, status, http_status, error, duration_ms, at)
       values (?, ?, ?, ?, ?, (select count(*) + 1 from export_attempt where request_id = ? and connector = ? and target = ?), ?, ?, ?, ?, ?)`,
      [randomUUID(), input.tenantId, input.requestId, connector, target, input.requestId, connector, target, outcome.status, outcome.httpStatus, outcome.error, outcome.durationMs, now()],
    );
  }

  /**
   * Pushes an accepted registration to the department's business software with the connector of its form.
   * Every attempt is recorded; failures are ApplicationFailures typed for the retry policy
   * (`ExportRejected` and `ExportMisconfigured` are final, `ExportReceiverUnavailable` is retried with backoff).
   */
  async function exportRegistration(input: ExportInput): Promise<ExportResult> {
    const em = deps.orm.em.fork();
    const { record, options } = await loadRecord(em, input);
    if (!options) return { connector: 'none', target: '', status: 'skipped' };
    const target = describeTarget(options);
    const started = Date.now();
    try {
      let status: ExportResult['status'] = 'exported';
      let httpStatus: number | null = null;
      if (options.connector === 'webhook') {
        const secret = deps.webhookSecrets[options.secretSetting ?? 'default'];
        if (!secret) throw ApplicationFailure.create({ message: `No webhook secret named ${options.secretSetting ?? 'default'}`, type: 'ExportMisconfigured', nonRetryable: true });
        const body = JSON.stringify(record);
        httpStatus = (await deliverWebhook({ url: options.url, secret, body, idempotencyKey: input.idempotencyKey, now })).status;
      } else if (options.connector === 'file') {
        await dropExportFile({ folder: exportFolder(deps.exportDir, options.directory), format: options.format, record });
      } else {
        if (!deps.exportDatabaseUrl) throw ApplicationFailure.create({ message: 'No export database is configured', type: 'ExportMisconfigured', nonRetryable: true });
        status = (await databases.insertRecord(deps.exportDatabaseUrl, options.table, record)) ? 'exported' : 'already_exported';
      }
      await recordAttempt(em, input, options.connector, target, { status: 'succeeded', httpStatus, error: null, durationMs: Date.now() - started });
      return { connector: options.connector, target, status };
    } catch (error) {
      const failure = error instanceof ApplicationFailure ? error : undefined;
      const httpStatus = (failure?.details?.[0] as { httpStatus?: number } | undefined)?.httpStatus ?? null;
      await recordAttempt(em, input, options.connector, target, {
        status: failure?.nonRetryable ? 'rejected' : 'failed',
        httpStatus,
        error: (error as Error).message.slice(0, 2000),
        durationMs: Date.now() - started,
      });
      throw error;
    }
  }

  return {
    exportRegistration,
    /** Closes the export database pools (worker shutdown, tests). */
    closeExportConnections: () => databases.close(),
  };
}

/** The export activities as the workflow sees them (types only); closeExportConnections is not an activity to register. */
export type ExportActivities = Pick<ReturnType<typeof createExportActivities>, 'exportRegistration'>;

function describeTarget(options: ExportOptions): string {
  if (options.connector === 'webhook') return options.url;
  if (options.connector === 'file') return `${options.directory ?? '.'}/*.${options.format}`;
  return options.table;
}
