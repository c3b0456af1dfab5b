import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { monthlyFigures } from '@/domain/dashboard/monthly';
import { frenchMonth } from '@/domain/format/french';
import { isReportMonth } from '@/domain/dashboard/report-month';
import { reportTenant } from '@/domain/dashboard/reports';
import { query } from '@/domain/sql';
import type { DepartmentFigures } from '@/activities/documents/quality-report-figures';
import type { EmailSender } from '@/integrations/mail/smtp';
import { sendEmailOnce } from '@/domain/notifications/email-once';

/** Dependencies of the report activities; tests pass real ones. */
export interface QualityReportActivityDeps {
  orm: MikroORM;
  email: EmailSender;
  publicUrl: string;
}

/** A tenant's month whose figures to compute. */
export interface MonthlyFiguresInput {
  tenantId: string;
  month: string;
}

/** The report is stored: tell the tenant's administrators. */
export interface ReportReadyInput {
  tenantId: string;
  month: string;
  idempotencyKey: string;
}

/** How many administrators were e-mailed now, and how many had been before. */
export interface ReportNotifyResult {
  sent: number;
  skipped: number;
}

/** Where administrators find the reports in the console. */
export function reportsConsoleUrl(publicUrl: string, tenantSlug: string): string {
  return new URL(`/console/${encodeURIComponent(tenantSlug)}/tableau-de-bord#rapports-mensuels`, publicUrl).toString();
}

/** The activities of the monthly quality report, bound to their dependencies. */
export function createQualityReportActivities(deps: QualityReportActivityDeps) {
  const { orm, email, publicUrl } = deps;

  async function tenantOf(tenantId: string, month: string) {
    if (!isReportMonth(month)) throw ApplicationFailure.nonRetryable(`Invalid month ${month}`, 'InvalidInput');
    const tenant = await reportTenant(orm.em.fork(), tenantId);
    if (!tenant) throw ApplicationFailure.nonRetryable(`Unknown tenant ${tenantId}`, 'UnknownTenant');
    return tenant;
  }

  /** Figures per department for a month bounded in the tenant's time zone, as renderQualityReport takes them. */
  async function computeMonthlyFigures(input: MonthlyFiguresInput): Promise<{ figures: DepartmentFigures[] }> {
    const tenant = await tenantOf(input.tenantId, input.month);
    const rows = await monthlyFigures(orm.em.fork(), tenant.id, input.month, tenant.timeZone);
    return { figures: rows.map(({ slug: _slug, name, ...figures }) => ({ department: name, ...figures })) };
  }

  /** E-mails every active administrator of the tenant once per key, with the link to the reports in the console. */
  async function notifyQualityReportReady(input: ReportReadyInput): Promise<ReportNotifyResult> {
    const tenant = await tenantOf(input.tenantId, input.month);
    const em = orm.em.fork();
    const admins = await query<{ email: string }>(em, 'select email from agent where tenant_id = ? and is_admin and active order by email', [tenant.id]);
    const label = frenchMonth(input.month);
    const subject = `[${tenant.name}] Rapport qualité de service — ${label}`;
    const body = `Bonjour,

Le rapport mensuel de qualité de service de ${tenant.name} est disponible pour ${label}.

Il présente, pour chaque service, les demandes reçues et répondues, les délais de traitement (médian et 90e centile), la part des réponses envoyées dans le délai et les demandes en retard à la fin du mois.

Télécharger le rapport depuis la console (connexion requise) :
${reportsConsoleUrl(publicUrl, tenant.slug)}

Ce message est envoyé automatiquement aux administrateurs de la commune.`;
    let sent = 0;
    for (const admin of admins) {
      const outcome = await sendEmailOnce(em, email, {
        tenantId: tenant.id,
        requestId: null,
        key: `${input.idempotencyKey}:${admin.email}`,
        template: 'quality_report',
        to: admin.email,
        subject,
        body,
      });
      if (outcome === 'sent') sent += 1;
    }
    return { sent, skipped: admins.length - sent };
  }

  return { computeMonthlyFigures, notifyQualityReportReady };
}

/** The report activities, as the workflow sees their types. */
export type QualityReportActivities = ReturnType<typeof createQualityReportActivities>;
