// The quarantine of inbound e-mail: what an agent reviews (a stranger's reply, a DMARC failure, an invalid sender) and
// the three decisions that release or reject it.
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { ForbiddenError } from '@/domain/auth/errors';
import { writeAudit } from '@/domain/audit/log';
import { linkAttachments } from '@/domain/attachments/store';
import { Attachment, CitizenRequest, InboundEmail, type InboundAttachmentRecord } from '@/domain/entities';
import type { IntakeChannel } from '@/domain/entities';
import { ActionRefusedError, type RequestCommands } from '@/domain/inbox/actions';
import type { IntakeReceipt } from '@/domain/intake/submission';
import type { Actor } from '@/domain/requests/contract';
import { ConflictError, InputError, NotFoundError, compileValidator } from '@/domain/validation';

/**
 * Who reviews what: an e-mail about a request belongs to the agents of that request's current department (they know
 * the case and its citizen) and to the tenant's administrators; an e-mail about no request (a DMARC failure or an
 * invalid sender on a new message) only to the administrators, since nobody else is responsible for unrouted mail.
 */
export type QuarantineViewer = Pick<Actor, 'agentId' | 'name' | 'isAdmin' | 'departmentIds'> & { tenantId: string };

/** A quarantined e-mail as the console lists it: plain data, never the entity. */
export interface QuarantinedEmail {
  id: string;
  receivedAt: string;
  from: string | null;
  fromName: string | null;
  envelopeFrom: string | null;
  subject: string;
  body: string;
  reason: string;
  auth: { spf: string; dkim: string; dmarc: string };
  attachments: InboundAttachmentRecord[];
  request: { reference: string; subject: string } | null;
}

const body = (schema: object) => compileValidator<Record<string, string>>({ type: 'object', additionalProperties: false, ...schema });

/** The three decisions: URL name, label (audit and console), body, and what the row becomes. */
export const QUARANTINE_ACTIONS = {
  attach: { label: 'Courriel rattaché à la demande', decision: 'attached', validate: body({ properties: {} }) },
  'new-request': {
    label: 'Courriel enregistré comme nouvelle demande',
    decision: 'new_request',
    validate: body({
      required: ['topic'],
      properties: { topic: { type: 'string', minLength: 1, maxLength: 63, pattern: '^[a-z0-9][a-z0-9-]*$', errorMessage: 'Choisissez le thème de la nouvelle demande.' } },
      errorMessage: { required: { topic: 'Choisissez le thème de la nouvelle demande.' } },
    }),
  },
  reject: {
    label: 'Courriel rejeté',
    decision: 'rejected',
    validate: body({ properties: { note: { type: 'string', maxLength: 2000, errorMessage: 'La note ne doit pas dépasser 2 000 caractères.' } } }),
  },
} as const;

/** Name of a quarantine action. */
export type QuarantineActionName = keyof typeof QUARANTINE_ACTIONS;

/** True for a known action name. */
export function isQuarantineAction(name: string): name is QuarantineActionName {
  return Object.hasOwn(QUARANTINE_ACTIONS, name);
}

/** Audit code of a quarantine action. */
export const quarantineAuditAction = (action: QuarantineActionName) => `mail.quarantine.${action}`;

const PENDING = { outcome: 'quarantined', reviewedAt: null } as const;

function scope(viewer: QuarantineViewer): FilterQuery<InboundEmail> {
  if (viewer.isAdmin) return { tenant: viewer.tenantId, ...PENDING };
  return { tenant: viewer.tenantId, ...PENDING, request: { department: { $in: viewer.departmentIds } } };
}

/** The e-mails waiting for this agent's review, oldest first (the longest waiting are handled first). */
export async function listQuarantine(em: EntityManager, viewer: QuarantineViewer, limit = 200): Promise<QuarantinedEmail[]> {
  if (!viewer.isAdmin && !viewer.departmentIds.length) return [];
  const rows = await em.find(InboundEmail, scope(viewer), { populate: ['request'], orderBy: { receivedAt: 'asc', id: 'asc' }, limit });
  return rows.map((row) => ({
    id: row.id,
    receivedAt: row.receivedAt.toISOString(),
    from: row.fromAddress ?? null,
    fromName: row.fromName ?? null,
    envelopeFrom: row.envelopeFrom ?? null,
    subject: row.subject ?? '',
    body: row.body ?? '',
    reason: row.reason ?? 'Courriel mis en quarantaine.',
    auth: authOf(row.auth),
    attachments: row.attachments ?? [],
    request: row.request ? { reference: row.request.reference, subject: row.request.subject } : null,
  }));
}

/** How many e-mails wait for this agent's review (the console navigation shows it). */
export async function countQuarantine(em: EntityManager, viewer: QuarantineViewer): Promise<number> {
  if (!viewer.isAdmin && !viewer.departmentIds.length) return 0;
  return em.count(InboundEmail, scope(viewer));
}

function authOf(auth: Record<string, unknown> | undefined): QuarantinedEmail['auth'] {
  const read = (key: string) => (typeof auth?.[key] === 'string' ? (auth[key] as string) : 'non vérifié');
  return { spf: read('spf'), dkim: read('dkim'), dmarc: read('dmarc') };
}

/** What a review needs: the database, the request workflows, and the one intake service. */
export interface QuarantineDeps {
  em: EntityManager;
  requests: RequestCommands;
  submitRequest: (tenantSlug: string, body: unknown, channel: IntakeChannel) => Promise<IntakeReceipt>;
}

/** What the console shows after a decision. */
export interface QuarantineOutcome {
  decision: string;
  message: string;
  /** The request the e-mail now belongs to (attached, or the new one). */
  reference?: string;
  /** True when the same decision had already been taken: nothing was done again. */
  alreadyDone: boolean;
}

const MAX_MESSAGE = 10_000;
const MAX_SUBJECT = 200;

/**
 * Takes one decision on a quarantined e-mail, once: the row is claimed first (a second click, or a colleague at the
 * same moment, finds it decided), then the decision runs; should it fail, the claim is given back. Audited either way.
 */
export async function reviewQuarantinedEmail(
  deps: QuarantineDeps,
  context: QuarantineViewer & { tenantSlug: string },
  id: string,
  action: QuarantineActionName,
  rawBody: unknown,
): Promise<QuarantineOutcome> {
  const { em } = deps;
  const spec = QUARANTINE_ACTIONS[action];
  const input = spec.validate(rawBody === undefined ? {} : rawBody);
  const row = await loadReviewable(em, context, id);
  const audit = (outcome: 'ok' | 'refused', data: Record<string, unknown>) =>
    writeAudit(em, { tenantId: context.tenantId, agentId: context.agentId, action: quarantineAuditAction(action), target: id, outcome, data });

  if (row.reviewedAt) return alreadyDecided(row, spec.decision);
  if (action === 'attach' && !row.request) throw new InputError([{ path: '', message: 'Ce courriel ne concerne aucune demande : enregistrez-le comme nouvelle demande ou rejetez-le.' }]);
  if (action === 'new-request' && !row.fromAddress) {
    throw new InputError([{ path: '', message: 'Ce courriel n’a pas d’adresse d’expéditeur valide : il ne peut pas devenir une demande. Rejetez-le.' }]);
  }

  const claimed = await em.nativeUpdate(
    InboundEmail,
    { id: row.id, tenant: context.tenantId, ...PENDING },
    { reviewedAt: new Date(), reviewedBy: context.agentId, reviewDecision: spec.decision },
  );
  if (!claimed) return alreadyDecided(await loadReviewable(em.fork(), context, id), spec.decision);

  let reference: string | undefined;
  try {
    reference = await carryOut(deps, context, row, action, input);
  } catch (error) {
    await em.nativeUpdate(InboundEmail, { id: row.id }, { reviewedAt: null, reviewedBy: null, reviewDecision: null });
    if (error instanceof ActionRefusedError) {
      await audit('refused', { reason: error.message });
      throw new ConflictError(error.message, { cause: error });
    }
    if (error instanceof InputError) await audit('refused', { reason: error.errors.map((e) => e.message).join(' ') });
    throw error;
  }
  await audit('ok', { decision: spec.decision, ...(reference ? { reference } : {}), ...(input.topic ? { topic: input.topic } : {}) });
  return { decision: spec.decision, message: spec.label, reference, alreadyDone: false };
}

async function loadReviewable(em: EntityManager, viewer: QuarantineViewer, id: string): Promise<InboundEmail> {
  const row = /^[0-9a-f-]{36}$/i.test(id)
    ? await em.findOne(InboundEmail, { id, tenant: viewer.tenantId, outcome: { $in: ['quarantined', 'released'] } }, { populate: ['request', 'linkedRequest'] })
    : null;
  if (!row) throw new NotFoundError(`Unknown quarantined e-mail ${id}`);
  // Once filed as a new request, the e-mail still belongs to those of the request it was about.
  const about = row.reviewDecision === 'new_request' ? row.linkedRequest : row.request;
  if (!viewer.isAdmin) {
    if (!about) throw new ForbiddenError('Seuls les administrateurs de la commune traitent les courriels qui ne concernent aucune demande.');
    if (!viewer.departmentIds.includes(about.department.id)) throw new ForbiddenError('Ce courriel concerne une demande d’un autre service.');
  }
  return row;
}

function alreadyDecided(row: InboundEmail, decision: string): QuarantineOutcome {
  const label = Object.values(QUARANTINE_ACTIONS).find((a) => a.decision === row.reviewDecision)?.label ?? 'Courriel déjà traité';
  if (row.reviewDecision !== decision) throw new ConflictError(`Ce courriel a déjà été traité : ${label.charAt(0).toLowerCase()}${label.slice(1)}.`);
  return { decision, message: label, reference: row.request?.reference, alreadyDone: true };
}

async function carryOut(deps: QuarantineDeps, context: QuarantineViewer & { tenantSlug: string }, row: InboundEmail, action: QuarantineActionName, input: Record<string, string>) {
  const { em } = deps;
  const kept = (row.attachments ?? []).flatMap((a) => (a.attachmentId ? [a.attachmentId] : []));
  if (action === 'reject') return undefined;
  if (action === 'attach') {
    const request = row.request!;
    const text = row.body?.trim() || '(courriel sans texte)';
    await deps.requests.deliverCitizenReply(request.workflowId, { body: `Courriel de ${row.fromAddress ?? 'expéditeur inconnu'} :\n\n${text}`.slice(0, MAX_MESSAGE), via: 'email' });
    await attachFiles(em, context.tenantId, request.id, kept);
    await em.nativeUpdate(InboundEmail, { id: row.id }, { outcome: 'released', handledAt: new Date() });
    return request.reference;
  }
  // Only the files still free: one taken by another request meanwhile would make the intake refuse the whole e-mail.
  const free = kept.length ? (await em.find(Attachment, { id: { $in: kept }, tenant: context.tenantId, request: null }, { fields: ['id'] })).map((a) => a.id) : [];
  const receipt = await deps.submitRequest(
    context.tenantSlug,
    {
      topic: input.topic,
      subject: subjectOf(row),
      message: (row.body?.trim() || '(courriel sans texte)').slice(0, MAX_MESSAGE),
      contact: { email: row.fromAddress, ...(row.fromName ? { name: row.fromName.slice(0, 200) } : {}) },
      channel: 'email',
      ...(free.length ? { attachments: free.slice(0, 5) } : {}),
    },
    'email',
  );
  const created = await em.findOneOrFail(CitizenRequest, { tenant: context.tenantId, reference: receipt.reference }, { fields: ['id'] });
  await em.nativeUpdate(InboundEmail, { id: row.id }, { outcome: 'released', handledAt: new Date(), request: created.id, linkedRequest: row.request?.id ?? null });
  return receipt.reference;
}

function subjectOf(row: InboundEmail): string {
  const subject = (row.subject ?? '').replace(/\s+/g, ' ').trim();
  return (subject.length >= 3 ? subject : `Courriel de ${row.fromAddress}`).slice(0, MAX_SUBJECT);
}

// The e-mail's files join the request they are attached to; those already taken elsewhere stay where they are.
async function attachFiles(em: EntityManager, tenantId: string, requestId: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    try {
      await linkAttachments(em, tenantId, requestId, [id]);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  }
}
