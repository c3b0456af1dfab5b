import {
  ApplicationFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  executeChild,
  proxyActivities,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DocumentActivities } from '@/activities/documents/document-activities';
import type { QualityReportActivities } from '@/activities/quality-report/quality-report-activities';
import { isReportMonth, monthAt, previousMonth } from '@/domain/dashboard/report-month';
import { TENANT_ATTRIBUTE } from '@/workflows/search-attributes';
import { ACTIVITY_PROFILES } from '@/workflows/request/profiles';
import {
  SCHEDULED_START_TIME,
  qualityReportDocumentKey,
  qualityReportMailKey,
  qualityReportWorkflowId,
  type MonthlyQualityReportInput,
  type MonthlyQualityReportResult,
  type QualityReportInput,
  type QualityReportResult,
} from './definitions';

/** The month's figures: one aggregate query, which may be slow on a large tenant but is safe to repeat. */
const FIGURES_PROFILE: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: ['InvalidInput', 'UnknownTenant'] },
};

const statistics = proxyActivities<QualityReportActivities>(FIGURES_PROFILE);
const documents = proxyActivities<DocumentActivities>(ACTIVITY_PROFILES.pdf);
const mail = proxyActivities<QualityReportActivities>(ACTIVITY_PROFILES.notification);

const REPORT_NOTE =
  '« En retard » : demandes sans réponse dont l’échéance était dépassée à la fin du mois. Les délais vont de la réception à la réponse, en heures calendaires ; le mois suit le fuseau horaire de la commune.';

/** The quality-of-service report of a tenant for a month: figures, PDF, then an e-mail to the administrators. */
export async function qualityReportWorkflow(input: QualityReportInput): Promise<QualityReportResult> {
  if (!isReportMonth(input.month)) throw ApplicationFailure.nonRetryable(`Invalid month ${input.month}`, 'InvalidInput');
  const { figures } = await statistics.computeMonthlyFigures({ tenantId: input.tenantId, month: input.month });
  const document = await documents.renderQualityReport({
    tenantId: input.tenantId,
    month: input.month,
    figures,
    comment: REPORT_NOTE,
    idempotencyKey: qualityReportDocumentKey(input.tenantSlug, input.month),
  });
  // Always asked, even for a document stored by an earlier run: the keys let only unsent e-mails go out.
  const notified = await mail.notifyQualityReportReady({
    tenantId: input.tenantId,
    month: input.month,
    idempotencyKey: qualityReportMailKey(input.tenantSlug, input.month),
  });
  return { month: input.month, documentId: document.documentId, created: document.created, notified: notified.sent };
}

/** Started by the tenant's schedule: the report of the month before the scheduled time, under the report's own id. */
export async function monthlyQualityReportWorkflow(input: MonthlyQualityReportInput): Promise<MonthlyQualityReportResult> {
  const info = workflowInfo();
  const due = info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.startTime;
  const month = previousMonth(monthAt(due, input.timeZone));
  try {
    const result = await executeChild(qualityReportWorkflow, {
      workflowId: qualityReportWorkflowId(input.tenantSlug, month),
      args: [{ tenantId: input.tenantId, tenantSlug: input.tenantSlug, month }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [{ key: TENANT_ATTRIBUTE, value: input.tenantSlug }],
    });
    return { ...result, alreadyStarted: false };
  } catch (error) {
    // An administrator produced this month's report already, or is producing it: nothing more to do.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { month, alreadyStarted: true };
    throw error;
  }
}
