import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Requirement } from '@/domain/auth/roles';

type Handler = (request: Request, context: { params: Promise<any> }) => Promise<Response>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Who may call a route: agents meeting a requirement, or anyone (login, password reset, OIDC redirects). */
export type Access = Requirement | 'public';

/** One call of a route, with valid parameters and body. */
export interface RouteCase {
  /** Names a case when a route has several (one per action or resource). */
  variant?: string;
  /** When one action of a route needs more than the route's access (approving needs a validator). */
  access?: Access;
  params: (tenant: string, reference: string) => Record<string, string>;
  body?: unknown;
  /** Query string, with its `?`. */
  search?: string;
  /** The statuses the route may answer once access is granted; for a public route, what everyone gets. */
  ok: number[];
  /** The call ends the session it was made with (logout). */
  endsSession?: boolean;
}

/** What a route and method expects. */
export interface RouteExpectation {
  access: Access;
  cases: RouteCase[];
}

/** The HTTP methods a route file may export. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const t = (tenant: string) => ({ tenant });
const r = (tenant: string, reference: string) => ({ tenant, reference });
const NO_ID = '00000000-0000-4000-8000-000000000000';
const admin = (resource: string, body: unknown, ok = [200]): RouteCase => ({ variant: resource, params: (tenant) => ({ tenant, resource }), body, ok });

/**
 * Every agent route file and method (`<folder under agent/> <METHOD>`) and who may call it. The security matrix
 * reads the route files from the disk and fails for any route or method missing here: a new route is covered by
 * adding its line, never forgotten.
 */
export const AGENT_ROUTE_EXPECTATIONS: Record<string, RouteExpectation> = {
  'session POST': { access: 'public', cases: [{ params: t, body: {}, ok: [400] }] },
  'session GET': { access: 'agent', cases: [{ params: t, ok: [200] }] },
  'session DELETE': { access: 'agent', cases: [{ params: t, ok: [204], endsSession: true }] },
  'password-reset POST': { access: 'public', cases: [{ params: t, body: { email: 'personne@mairie.test' }, ok: [202] }] },
  'password-reset/complete POST': { access: 'public', cases: [{ params: t, body: {}, ok: [400] }] },
  // The test tenants have no OpenID Connect provider: the login is not found, a callback without its state cookie refused.
  'oidc/login GET': { access: 'public', cases: [{ params: t, ok: [404] }] },
  'oidc/callback GET': { access: 'public', cases: [{ params: t, search: '?code=x&state=y', ok: [401] }] },
  'requests GET': { access: 'agent', cases: [{ params: t, ok: [200] }] },
  'requests/updates GET': { access: 'agent', cases: [{ params: t, search: '?depuis=2026-01-01T00:00:00Z', ok: [200] }] },
  'requests/[reference] GET': { access: 'agent', cases: [{ params: r, ok: [200] }] },
  'requests/[reference]/attachments/[id] GET': { access: 'agent', cases: [{ params: (tenant, reference) => ({ tenant, reference, id: NO_ID }), ok: [404] }] },
  'requests/[reference]/documents/[documentId] GET': { access: 'agent', cases: [{ params: (tenant, reference) => ({ tenant, reference, documentId: NO_ID }), ok: [404] }] },
  // Roles pass; the workflow then decides (another department's request, nothing awaiting validation: 409).
  'requests/[reference]/actions/[action] POST': {
    access: 'agent',
    cases: [
      { variant: 'note', params: (tenant, reference) => ({ tenant, reference, action: 'note' }), body: { text: 'Note' }, ok: [200, 409] },
      // Taking in charge is an explicit action of the case page (« Prendre en charge »), never a side effect of viewing it.
      { variant: 'open', params: (tenant, reference) => ({ tenant, reference, action: 'open' }), ok: [200, 409] },
      { variant: 'approve', access: 'validator', params: (tenant, reference) => ({ tenant, reference, action: 'approve' }), ok: [409] },
      { variant: 'return', access: 'validator', params: (tenant, reference) => ({ tenant, reference, action: 'return' }), body: { comment: 'Non' }, ok: [409] },
      // Nothing was paid online for this request: refused.
      { variant: 'refund', params: (tenant, reference) => ({ tenant, reference, action: 'refund' }), body: { amount: '5,00', reason: 'Annulation' }, ok: [409] },
    ],
  },
  // An unknown message of the request: found by nobody, whatever the role.
  'requests/[reference]/notifications/resend POST': { access: 'agent', cases: [{ params: r, body: { message: NO_ID, channel: 'sms' }, ok: [404] }] },
  'quarantine GET': { access: 'agent', cases: [{ params: t, ok: [200] }] },
  // Every role reaches the decision; an unknown e-mail is not found.
  'quarantine/[id]/[action] POST': { access: 'agent', cases: [{ params: (tenant) => ({ tenant, id: NO_ID, action: 'reject' }), body: {}, ok: [404] }] },
  'intake POST': {
    access: 'agent',
    cases: [{ params: t, body: { intakeChannel: 'counter', topic: 'question', subject: 'Au guichet', message: 'Question posée au guichet.', contact: { email: 'guichet@exemple.fr' } }, ok: [201] }],
  },
  'dashboard GET': { access: 'head', cases: [{ params: t, ok: [200] }] },
  'admin GET': { access: 'admin', cases: [{ params: t, ok: [200] }] },
  'admin/[resource] POST': {
    access: 'admin',
    cases: [
      admin('departments', { slug: 'nouveau', name: 'Nouveau service' }),
      admin('agents', { email: 'x@mairie.test', name: 'X', password: 'un-mot-de-passe-long' }),
      admin('branding', { name: 'Commune', primaryColor: '#123456' }),
      admin('allowed-origins', { allowedOrigins: 'https://www.commune.fr' }),
      admin('message-preview', { key: 'answer', body: '{{answer}}' }),
      admin('document-templates', { name: 'acknowledgement', content: '<p>{{reference}}</p>' }),
      admin('document-preview', { name: 'acknowledgement', content: '<p>{{reference}}</p>' }),
      admin('limits', { perAddressPerHour: 30, perContactPerHour: 10, perTenantPerHour: 2000 }),
      admin('legal', { accessibilityStatus: 'non_conforme' }),
      admin('lists', { slug: 'travaux', label: 'Travaux', sms: true, email: true, public: true }),
    ],
  },
  // The test tenants have no list: the import is refused for the list, after access is granted.
  'admin/subscriber-import POST': { access: 'admin', cases: [{ params: t, search: '?liste=inconnue', body: {}, ok: [400] }] },
  'campaigns GET': { access: 'agent', cases: [{ params: t, ok: [200] }] },
  'campaigns POST': { access: 'agent', cases: [{ params: t, body: {}, ok: [400] }] },
  'campaigns/preview POST': { access: 'agent', cases: [{ params: t, body: {}, ok: [400] }] },
  'campaigns/[id] GET': { access: 'agent', cases: [{ params: (tenant) => ({ tenant, id: NO_ID }), ok: [404] }] },
  'campaigns/[id]/rapport GET': { access: 'agent', cases: [{ params: (tenant) => ({ tenant, id: NO_ID }), ok: [404] }] },
  'campaigns/[id] PUT': { access: 'agent', cases: [{ params: (tenant) => ({ tenant, id: NO_ID }), body: {}, ok: [400] }] },
  'campaigns/[id]/chronologie GET': { access: 'agent', cases: [{ params: (tenant) => ({ tenant, id: NO_ID }), ok: [404] }] },
  'subscribers POST': { access: 'dpo', cases: [{ params: t, body: {}, ok: [200] }] },
  'subscribers/[id] GET': { access: 'dpo', cases: [{ params: (tenant) => ({ tenant, id: NO_ID }), ok: [404] }] },
  // Submitting is every agent's; approving, refusing, pausing, resuming and cancelling need a head (or an administrator).
  'campaigns/[id]/[action] POST': {
    access: 'agent',
    cases: [
      { variant: 'soumettre', params: (tenant) => ({ tenant, id: NO_ID, action: 'soumettre' }), ok: [404] },
      ...['approuver', 'refuser', 'pause', 'reprise', 'annulation'].map(
        (action): RouteCase => ({ variant: action, access: 'head', params: (tenant) => ({ tenant, id: NO_ID, action }), ok: [404] }),
      ),
    ],
  },
  'admin/retention GET': { access: 'admin', cases: [{ params: t, ok: [200] }] },
  'admin/retention POST': { access: 'admin', cases: [{ params: t, body: { requestsMonths: 24, documentsMonths: 12, messageLogsMonths: 12, auditYears: 5 }, ok: [200] }] },
  'admin/mail GET': { access: 'admin', cases: [{ params: t, ok: [200] }] },
  'admin/mail PUT': { access: 'admin', cases: [{ params: t, body: { addresses: ['mairie@commune.fr'], acknowledgeBySms: false, acknowledgementsPerHour: 5 }, ok: [200] }] },
  'audit GET': { access: 'dpo', cases: [{ params: t, ok: [200] }] },
  'treasury GET': { access: 'treasury', cases: [{ params: t, ok: [200] }, { variant: 'csv', params: t, search: '?format=csv', ok: [200] }] },
  'catalogue GET': { access: 'admin', cases: [{ params: t, ok: [200] }] },
  // An invalid product: refused with its field errors, whoever may call the route.
  'catalogue POST': { access: 'admin', cases: [{ params: t, body: { label: '' }, ok: [400] }] },
  'catalogue/[slug] GET': { access: 'admin', cases: [{ params: (tenant) => ({ tenant, slug: 'inconnu' }), ok: [404] }] },
  'catalogue/[slug] PUT': { access: 'admin', cases: [{ params: (tenant) => ({ tenant, slug: 'inconnu' }), body: { label: 'X', pricing: { kind: 'fixed', amount: 500 }, active: true }, ok: [404] }] },
  'personal-data/[action] POST': {
    access: 'dpo',
    cases: [
      ...(['search', 'view', 'export-json', 'export-pdf'] as const).map((action): RouteCase => ({ variant: action, params: (tenant) => ({ tenant, action }), body: { email: 'personne@exemple.fr' }, ok: [200] })),
      { variant: 'erase', params: (tenant) => ({ tenant, action: 'erase' }), body: { email: 'personne@exemple.fr', reason: 'Demande de la personne', confirmOpen: true }, ok: [200] },
    ],
  },
  // The designer's screens: the shipped `question` process, its preview, a publication (a new version, or none when unchanged) and its export.
  'admin/processes GET': { access: 'admin', cases: [{ params: t, ok: [200] }] },
  'admin/processes/[slug] GET': { access: 'admin', cases: [{ params: (tenant) => ({ tenant, slug: 'question' }), ok: [200] }] },
  'admin/processes/[slug] POST': { access: 'admin', cases: [{ params: (tenant) => ({ tenant, slug: 'question' }), body: { guaranteedDelay: { delay: 'P10D', businessDays: true } }, ok: [200, 201] }] },
  'admin/processes/[slug]/preview POST': { access: 'admin', cases: [{ params: (tenant) => ({ tenant, slug: 'question' }), body: { guaranteedDelay: { delay: 'P10D', businessDays: true } }, ok: [200] }] },
  'admin/processes/[slug]/export GET': { access: 'admin', cases: [{ params: (tenant) => ({ tenant, slug: 'question' }), ok: [200] }] },
  'admin/[resource] DELETE': {
    access: 'admin',
    cases: [
      { variant: 'answer-templates', params: (tenant) => ({ tenant, resource: 'answer-templates' }), search: '?slug=inconnu', ok: [404] },
      { variant: 'document-templates', params: (tenant) => ({ tenant, resource: 'document-templates' }), search: '?name=acknowledgement', ok: [204] },
    ],
  },
  'reports GET': { access: 'admin', cases: [{ params: t, ok: [200] }] },
  'reports POST': { access: 'admin', cases: [{ params: t, body: { month: '2026-01' }, ok: [200, 202] }] },
  'reports/[month] GET': { access: 'admin', cases: [{ params: (tenant) => ({ tenant, month: '2026-01' }), ok: [200, 404] }] },
};

/** The folder of the agent routes. */
export const AGENT_ROUTES_DIR = path.dirname(fileURLToPath(import.meta.url));

/** One exported method of one route file. */
export interface AgentRoute {
  key: string;
  method: (typeof HTTP_METHODS)[number];
  handler: Handler;
}

/** Every `route.ts` under the agent folder, imported, with each HTTP method it exports. */
export async function discoverAgentRoutes(): Promise<AgentRoute[]> {
  const files = (fs.readdirSync(AGENT_ROUTES_DIR, { recursive: true }) as string[]).filter((f) => path.basename(f) === 'route.ts').sort();
  const routes: AgentRoute[] = [];
  for (const file of files) {
    const module = (await import(path.join(AGENT_ROUTES_DIR, file))) as Record<string, unknown>;
    const folder = path.dirname(file).split(path.sep).join('/');
    for (const method of HTTP_METHODS) {
      if (typeof module[method] === 'function') routes.push({ key: `${folder} ${method}`, method, handler: module[method] as Handler });
    }
  }
  return routes;
}
