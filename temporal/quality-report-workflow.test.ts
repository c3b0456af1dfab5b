import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRequest, pdfText } from '@/activities/documents/test-support';
import { createSmtpSender } from '@/integrations/mail/smtp';
import { createQualityReportActivities } from '@/activities/quality-report/quality-report-activities';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { query } from '@/domain/sql';
import { startQualityReport } from './quality-report';
import { createTestTenant, testClient } from './testing/fixtures';
import { mailTo } from './testing/helpers';
import { QUALITY_REPORT_HISTORIES_DIR, keepHistory } from './testing/histories';
import { REQUEST_TASK_QUEUE } from '@/workflows/request/definitions';
import { qualityReportDocumentKey, qualityReportWorkflowId, type QualityReportResult } from '@/workflows/quality-report/definitions';
import type { qualityReportWorkflow } from '@/workflows/quality-report/workflow';

let orm: MikroORM;
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let tenantId: string;
const MONTH = '2026-08';

async function seed(topic: string, r: { received: string; due: string; answered?: string; closed?: string }): Promise<void> {
  const { id } = await insertRequest(orm, { tenant: tenant.slug, topic, receivedAt: new Date(r.received) });
  const state = r.answered ? 'answered' : r.closed ? 'closed' : 'in_progress';
  await query(orm.em.fork(), 'update request set due_at = ?, answered_at = ?, closed_at = ?, state = ? where id = ?', [
    new Date(r.due), r.answered ? new Date(r.answered) : null, r.closed ?? r.answered ?? null, state, id,
  ]);
}

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  tenant = await createTestTenant();
  [{ id: tenantId }] = await query<{ id: string }>(orm.em.fork(), 'select id from tenant where slug = ?', [tenant.slug]);
  // Martinique is UTC−4 all year: August runs from 2026-08-01T04:00Z to 2026-09-01T04:00Z.
  await query(orm.em.fork(), `update tenant set settings = jsonb_set(settings, '{timeZone}', '"America/Martinique"') where id = ?`, [tenantId]);
  // Accueil: received in August (local) 7, answered in August 3 (10 h, 30 h, 50 h; the last one late), overdue at the end 2.
  await seed('question', { received: '2026-08-01T03:30:00Z', due: '2026-08-08T03:30:00Z', closed: '2026-08-01T05:00:00Z' }); // 31 July, local
  await seed('question', { received: '2026-08-01T04:30:00Z', due: '2026-08-08T04:30:00Z', answered: '2026-08-01T14:30:00Z' });
  await seed('question', { received: '2026-08-10T08:00:00Z', due: '2026-08-17T08:00:00Z', answered: '2026-08-11T14:00:00Z' });
  await seed('question', { received: '2026-08-30T01:00:00Z', due: '2026-08-31T01:00:00Z', answered: '2026-09-01T03:00:00Z' }); // 31 August 23:00, local
  await seed('question', { received: '2026-08-25T12:00:00Z', due: '2026-08-28T12:00:00Z' });
  await seed('question', { received: '2026-08-30T12:00:00Z', due: '2026-09-05T12:00:00Z' });
  await seed('question', { received: '2026-08-05T12:00:00Z', due: '2026-08-12T12:00:00Z', answered: '2026-09-02T12:00:00Z' });
  await seed('question', { received: '2026-09-01T02:00:00Z', due: '2026-09-08T02:00:00Z' }); // 31 August 22:00, local
  // État civil: one request answered in a day.
  await seed('acte', { received: '2026-08-15T10:00:00Z', due: '2026-08-22T10:00:00Z', answered: '2026-08-16T10:00:00Z' });
});

afterAll(() => closeAllORMs());

describe('monthly quality report workflow', () => {
  it('computes the figures of the month in the tenant’s time zone', async () => {
    const email = createSmtpSender(env().SMTP_URL!, env().SMTP_FROM);
    const { figures } = await createQualityReportActivities({ orm, email, publicUrl: env().PUBLIC_URL }).computeMonthlyFigures({ tenantId, month: MONTH });
    email.close();
    expect(figures).toEqual([
      { department: 'Accueil', received: 7, answered: 3, medianHours: 30, p90Hours: 46, onTimeShare: 0.667, overdue: 2 },
      { department: 'État civil', received: 1, answered: 1, medianHours: 24, p90Hours: 24, onTimeShare: 1, overdue: 0 },
    ]);
  });

  it('stores one report, e-mails the administrators once, and never twice when run again', async () => {
    const client = await testClient();
    const input = { tenantId, tenantSlug: tenant.slug, month: MONTH };
    const workflowId = qualityReportWorkflowId(tenant.slug, MONTH);
    expect(await startQualityReport(client, input, REQUEST_TASK_QUEUE)).toBe('started');
    const first: QualityReportResult = await client.workflow.getHandle(workflowId).result();
    expect(first).toMatchObject({ month: MONTH, created: true, notified: 1 });
    await keepHistory('quality-report', client.workflow.getHandle(workflowId), QUALITY_REPORT_HISTORIES_DIR);

    // The same id again is refused; an operator's forced re-run finds the document and the e-mail already done.
    expect(await startQualityReport(client, input, REQUEST_TASK_QUEUE)).toBe('already_started');
    const again = await client.workflow.execute<typeof qualityReportWorkflow>('qualityReportWorkflow', {
      workflowId,
      taskQueue: REQUEST_TASK_QUEUE,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    expect(again).toEqual({ month: MONTH, documentId: first.documentId, created: false, notified: 0 });

    const documents = await query<{ id: string; idempotency_key: string; content: Buffer; request_id: string | null; public: boolean }>(
      orm.em.fork(),
      "select id, idempotency_key, content, request_id, public from document where tenant_id = ? and kind = 'quality_report'",
      [tenantId],
    );
    expect(documents.map((d) => [d.id, d.idempotency_key, d.request_id, d.public])).toEqual([[first.documentId, qualityReportDocumentKey(tenant.slug, MONTH), null, false]]);
    const text = await pdfText(documents[0].content);
    expect(text).toContain('Qualité de service — août 2026');
    expect(text).toMatch(/Accueil\s+7\s+3\s+30\s?h\s+46\s?h\s+67\s?%\s+2/);
    expect(text).toMatch(/État civil\s+1\s+1\s+24\s?h\s+24\s?h\s+100\s?%\s+0/);

    // Both runs have completed, and the sink stores a message before it acknowledges it: every e-mail they sent is here.
    const reports = (await mailTo(tenant.mail('admin'))).filter((m) => m.subject!.includes('Rapport qualité'));
    expect(reports).toHaveLength(1);
    const [mail] = reports;
    expect(mail.subject).toBe(`[Commune ${tenant.slug}] Rapport qualité de service — août 2026`);
    expect(mail.text).toContain('est disponible pour août 2026');
    expect(mail.text).toContain(`${env().PUBLIC_URL}/console/${tenant.slug}/tableau-de-bord#rapports-mensuels`);
    // Heads of department and agents do not receive the whole municipality's report.
    expect(await mailTo(tenant.mail('chef'))).toEqual([]);
    const notifications = await query<{ status: string; request_id: string | null; template: string }>(
      orm.em.fork(),
      "select status, request_id, template from notification where tenant_id = ? and template = 'quality_report'",
      [tenantId],
    );
    expect(notifications).toEqual([{ status: 'sent', request_id: null, template: 'quality_report' }]);
  });
});
