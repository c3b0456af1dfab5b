import type { Requirement } from '../../../../../../domain/auth/roles';
import { POST as action } from './requests/[reference]/actions/[action]/route';
import { GET as attachment } from './requests/[reference]/attachments/[id]/route';
import { GET as document } from './requests/[reference]/documents/[documentId]/route';
import { GET as getRequest } from './requests/[reference]/route';
import { GET as listRequests } from './requests/route';
import { GET as updates } from './requests/updates/route';
import { POST as intake } from './intake/route';
import { GET as dashboard } from './dashboard/route';
import { GET as adminOverview } from './admin/route';
import { DELETE as adminDelete, POST as adminSave } from './admin/[resource]/route';
import { DELETE as logout, GET as me } from './session/route';
import { GET as listReports, POST as generateReport } from './reports/route';
import { GET as downloadReport } from './reports/[month]/route';
import { POST as personalData } from './personal-data/[action]/route';
import { GET as auditTrail } from './audit/route';
import { GET as retentionSettings, POST as saveRetentionSettings } from './admin/retention/route';

type Handler = (request: Request, context: { params: Promise<any> }) => Promise<Response>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One authenticated agent route, with valid parameters and body, for the security tests. */
export interface AgentRouteCase {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  handler: Handler;
  requires: Requirement;
  params: (tenant: string, reference: string) => Record<string, string>;
  body?: unknown;
}

const t = (tenant: string) => ({ tenant });
const r = (tenant: string, reference: string) => ({ tenant, reference });

/** Every authenticated agent route; a new route must be listed here so the security tests cover it. */
export const AGENT_ROUTES: AgentRouteCase[] = [
  { name: 'session', method: 'GET', handler: me, requires: 'agent', params: t },
  { name: 'logout', method: 'DELETE', handler: logout, requires: 'agent', params: t },
  { name: 'requests', method: 'GET', handler: listRequests, requires: 'agent', params: t },
  { name: 'updates', method: 'GET', handler: updates, requires: 'agent', params: t },
  { name: 'request', method: 'GET', handler: getRequest, requires: 'agent', params: r },
  { name: 'attachment', method: 'GET', handler: attachment, requires: 'agent', params: (tenant, reference) => ({ tenant, reference, id: '00000000-0000-4000-8000-000000000000' }) },
  { name: 'document', method: 'GET', handler: document, requires: 'agent', params: (tenant, reference) => ({ tenant, reference, documentId: '00000000-0000-4000-8000-000000000000' }) },
  { name: 'action note', method: 'POST', handler: action, requires: 'agent', params: (tenant, reference) => ({ tenant, reference, action: 'note' }), body: { text: 'Note' } },
  { name: 'action approve', method: 'POST', handler: action, requires: 'validator', params: (tenant, reference) => ({ tenant, reference, action: 'approve' }) },
  { name: 'action return', method: 'POST', handler: action, requires: 'validator', params: (tenant, reference) => ({ tenant, reference, action: 'return' }), body: { comment: 'Non' } },
  {
    name: 'intake',
    method: 'POST',
    handler: intake,
    requires: 'agent',
    params: t,
    body: { intakeChannel: 'counter', topic: 'question', subject: 'Au guichet', message: 'Question posée au guichet.', contact: { email: 'guichet@exemple.fr' } },
  },
  { name: 'dashboard', method: 'GET', handler: dashboard, requires: 'head', params: t },
  { name: 'admin overview', method: 'GET', handler: adminOverview, requires: 'admin', params: t },
  { name: 'admin department', method: 'POST', handler: adminSave, requires: 'admin', params: (tenant) => ({ tenant, resource: 'departments' }), body: { slug: 'nouveau', name: 'Nouveau service' } },
  { name: 'admin agent', method: 'POST', handler: adminSave, requires: 'admin', params: (tenant) => ({ tenant, resource: 'agents' }), body: { email: 'x@mairie.test', name: 'X', password: 'un-mot-de-passe-long' } },
  { name: 'admin branding', method: 'POST', handler: adminSave, requires: 'admin', params: (tenant) => ({ tenant, resource: 'branding' }), body: { name: 'Commune', primaryColor: '#123456' } },
  { name: 'admin message preview', method: 'POST', handler: adminSave, requires: 'admin', params: (tenant) => ({ tenant, resource: 'message-preview' }), body: { key: 'answer', body: '{{answer}}' } },
  { name: 'admin delete template', method: 'DELETE', handler: adminDelete, requires: 'admin', params: (tenant) => ({ tenant, resource: 'answer-templates' }) },
  { name: 'quality reports', method: 'GET', handler: listReports, requires: 'admin', params: t },
  { name: 'quality report generate', method: 'POST', handler: generateReport, requires: 'admin', params: t, body: { month: '2026-01' } },
  { name: 'quality report download', method: 'GET', handler: downloadReport, requires: 'admin', params: (tenant) => ({ tenant, month: '2026-01' }) },
  {
    name: 'admin document template',
    method: 'POST',
    handler: adminSave,
    requires: 'admin',
    params: (tenant) => ({ tenant, resource: 'document-templates' }),
    body: { name: 'acknowledgement', content: '<p>{{reference}}</p>' },
  },
  { name: 'admin document preview', method: 'POST', handler: adminSave, requires: 'admin', params: (tenant) => ({ tenant, resource: 'document-preview' }), body: { name: 'acknowledgement', content: '<p>{{reference}}</p>' } },
  { name: 'admin reset document template', method: 'DELETE', handler: adminDelete, requires: 'admin', params: (tenant) => ({ tenant, resource: 'document-templates' }) },
  { name: 'admin legal texts', method: 'POST', handler: adminSave, requires: 'admin', params: (tenant) => ({ tenant, resource: 'legal' }), body: { accessibilityStatus: 'non_conforme' } },
  ...(['search', 'view', 'export-json', 'export-pdf'] as const).map((action) => ({
    name: `personal data ${action}`,
    method: 'POST' as const,
    handler: personalData,
    requires: 'dpo' as const,
    params: (tenant: string) => ({ tenant, action }),
    body: { email: 'personne@exemple.fr' },
  })),
  {
    name: 'personal data erase',
    method: 'POST',
    handler: personalData,
    requires: 'dpo',
    params: (tenant) => ({ tenant, action: 'erase' }),
    body: { email: 'personne@exemple.fr', reason: 'Demande de la personne', confirmOpen: true },
  },
  { name: 'audit trail', method: 'GET', handler: auditTrail, requires: 'dpo', params: t },
  { name: 'retention settings', method: 'GET', handler: retentionSettings, requires: 'admin', params: t },
  { name: 'retention settings save', method: 'POST', handler: saveRetentionSettings, requires: 'admin', params: t, body: { requestsMonths: 24, documentsMonths: 12, messageLogsMonths: 12, auditYears: 5 } },
];
