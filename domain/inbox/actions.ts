import type { EntityManager } from '@mikro-orm/postgresql';
import type { ActionResult, Actor, CitizenReply, DepartmentRef, ResendInput } from '@/domain/requests/contract';
import type { CurrentStep, ProcessAction } from '@/domain/processes/workflow-contract';
import { writeAudit } from '@/domain/audit/log';
import { Payment } from '@/domain/entities';
import { sql } from '@/domain/auth/db';
import type { Requirement } from '@/domain/auth/roles';
import { ConflictError, InputError, NotFoundError, compileValidator } from '@/domain/validation';

const text = (max: number, message: string) => ({ type: 'string', default: '', minLength: 1, maxLength: max, pattern: '\\S', errorMessage: message });
const body = (field: string, max: number, message: string) =>
  compileValidator<Record<string, string>>({
    type: 'object',
    additionalProperties: false,
    properties: { [field]: text(max, message) },
  });
const acceptBody = compileValidator<{ message?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: { message: { type: 'string', maxLength: 10000, errorMessage: 'Le message ne doit pas dépasser 10 000 caractères.' } },
});
const empty = compileValidator<Record<string, never>>({ type: 'object', additionalProperties: false, properties: {} });
const transferBody = compileValidator<{ department: string; note?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    department: { type: 'string', default: '', minLength: 1, maxLength: 63, errorMessage: 'Choisissez le service destinataire.' },
    note: { type: 'string', maxLength: 2000, errorMessage: 'Le message ne doit pas dépasser 2 000 caractères.' },
  },
});

const answerText = body('body', 20000, 'Rédigez la réponse (20 000 caractères au plus).');
const refundBody = compileValidator<{ amount: string; reason: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'reason'],
  properties: {
    amount: { type: 'string', pattern: '^\\s*\\d{1,6}([,.]\\d{1,2})?\\s*(€)?\\s*$', errorMessage: 'Indiquez le montant remboursé en euros, par exemple 12,50.' },
    reason: text(2000, 'Indiquez le motif du remboursement (2 000 caractères au plus).'),
  },
});

/** Euros as an agent types them ("12,50", "12.5", "12 €") in cents; the refund form's pattern has checked the shape. */
export function centsOfEuros(text: string): number {
  const [units, decimals = ''] = text.replace(/€/g, '').trim().replace(',', '.').split('.');
  return Number(units) * 100 + Number(decimals.padEnd(2, '0'));
}

/** Every console action on a request: its URL name, who may try it, its body, and the workflow update it becomes. */
export const REQUEST_ACTIONS = {
  open: { label: 'Prise en charge', requires: 'agent', validate: empty },
  'save-draft': { label: 'Brouillon enregistré', requires: 'agent', validate: answerText },
  submit: { label: 'Réponse soumise à validation', requires: 'agent', validate: answerText },
  approve: { label: 'Réponse validée et envoyée', requires: 'validator', validate: empty },
  return: { label: 'Réponse renvoyée au rédacteur', requires: 'validator', validate: body('comment', 5000, 'Saisissez un commentaire pour le rédacteur.') },
  transfer: { label: 'Demande transférée', requires: 'agent', validate: transferBody },
  'ask-citizen': { label: 'Question envoyée au citoyen', requires: 'agent', validate: body('question', 5000, 'Saisissez la question à poser au citoyen.') },
  answer: { label: 'Réponse envoyée', requires: 'agent', validate: answerText },
  note: { label: 'Note interne ajoutée', requires: 'agent', validate: body('text', 5000, 'Saisissez le texte de la note.') },
  close: { label: 'Demande close', requires: 'agent', validate: empty },
  accept: { label: 'Inscription acceptée', requires: 'agent', validate: acceptBody },
  reject: { label: 'Inscription refusée', requires: 'agent', validate: body('reason', 5000, 'Indiquez le motif du refus.') },
  refund: { label: 'Remboursement enregistré', requires: 'agent', validate: refundBody },
} as const satisfies Record<string, { label: string; requires: Requirement; validate: (value: unknown) => unknown }>;

/** Name of a console action. */
export type RequestActionName = keyof typeof REQUEST_ACTIONS;

/**
 * Actions that write to the citizen or hand the case to another service: pointless, and misleading for the agent, once
 * the citizen's data were erased (nobody can receive the answer). Such a request is only noted, returned or closed.
 */
export const REFUSED_WHEN_ANONYMISED: ReadonlySet<RequestActionName> = new Set<RequestActionName>(['save-draft', 'submit', 'approve', 'answer', 'ask-citizen', 'transfer', 'accept']);

/** The console's refusal of one of those actions on an anonymised request. */
export const ANONYMISED_REFUSAL =
  'Les données personnelles de cette demande ont été effacées : elle ne peut plus recevoir de réponse ni être transférée. Clôturez-la.';

/** The refusal of a refund on a request nothing was paid for online. */
export const NOTHING_TO_REFUND = 'Cette demande n’a pas été payée en ligne : il n’y a rien à rembourser.';

/** True for a known action name. */
export function isRequestAction(name: string): name is RequestActionName {
  return Object.hasOwn(REQUEST_ACTIONS, name);
}

/** One console action as the request workflow receives it. */
export type RequestCommand =
  | { action: Exclude<RequestActionName, 'transfer'>; actor: Actor; input: Record<string, string> }
  | { action: 'transfer'; actor: Actor; to: DepartmentRef & { name: string }; note?: string }
  | ({ action: 'resend' } & ResendInput);

/** How the domain reaches a running request: the Temporal adapter is temporal/request-commands.ts. */
export interface RequestCommands {
  /** Runs the command on the request's workflow; a refusal (state, role, closed request) throws ActionRefusedError. */
  execute(workflowId: string, command: RequestCommand): Promise<ActionResult>;
  /** Hands a citizen's message to the request's workflow (citizenReplySignal); a closed request throws ActionRefusedError. */
  deliverCitizenReply(workflowId: string, reply: CitizenReply): Promise<void>;
  /** The step a process request is at and its allowed actions; undefined once the run has ended or cannot be reached. */
  currentStep(workflowId: string): Promise<CurrentStep | undefined>;
}

/** The console action of each update a process step may allow. */
const CONSOLE_ACTION_OF: Record<ProcessAction, RequestActionName | undefined> = {
  openRequest: 'open',
  saveDraft: 'save-draft',
  submitForValidation: 'submit',
  answerRequest: 'answer',
  approveAnswer: 'approve',
  returnDraft: 'return',
  askCitizen: 'ask-citizen',
  transferRequest: 'transfer',
  acceptRegistration: 'accept',
  rejectRegistration: 'reject',
  addNote: 'note',
  closeRequest: 'close',
  // Offered on each message of the notifications panel, not among the step's buttons.
  resendNotification: undefined,
  recordRefund: 'refund',
};

/** The console actions a process step allows, in the console's names. */
export function consoleActionsOf(step: CurrentStep): RequestActionName[] {
  return step.allowedActions.map((a) => CONSOLE_ACTION_OF[a]).filter((a): a is RequestActionName => a !== undefined);
}

/** The workflow refused the action; the message is its French reason, shown to the agent. */
export class ActionRefusedError extends Error {}

async function commandFor(em: EntityManager, tenantId: string, action: RequestActionName, actor: Actor, input: Record<string, string>): Promise<RequestCommand> {
  if (action !== 'transfer') return { action, actor, input };
  const [to] = await sql<{ id: string; slug: string; name: string }>(em, 'select id, slug, name from department where tenant_id = ? and slug = ?', [tenantId, input.department]);
  if (!to) throw new InputError([{ path: '/department', message: 'Ce service n’existe pas dans cette commune.' }]);
  return { action, actor, to, note: input.note?.trim() || undefined };
}

/** What the console shows after an accepted action. */
export interface ActionOutcome extends ActionResult {
  message: string;
}

/** Runs one action as a workflow update; a refusal becomes a ConflictError carrying the workflow's French reason. Audited either way. */
export async function performRequestAction(
  deps: { em: EntityManager; requests: RequestCommands },
  context: { tenantId: string; actor: Actor; reference: string },
  action: RequestActionName,
  rawBody: unknown,
): Promise<ActionOutcome> {
  const { em, requests } = deps;
  const input = REQUEST_ACTIONS[action].validate(rawBody ?? {}) as Record<string, string>;
  const [request] = await sql<{ id: string; workflow_id: string; anonymised_at: Date | null }>(em, 'select id, workflow_id, anonymised_at from request where tenant_id = ? and reference = ?', [
    context.tenantId, context.reference,
  ]);
  if (!request) throw new NotFoundError(`Unknown request ${context.reference}`);
  const actor = context.actor;
  const audit = (outcome: 'ok' | 'refused', data: Record<string, unknown>) =>
    writeAudit(em, { tenantId: context.tenantId, agentId: actor.agentId, action: `request.${action}`, target: context.reference, outcome, data });

  // Checked here rather than in the workflow: an erasure happens in the database, which the workflow never reads.
  if (request.anonymised_at && REFUSED_WHEN_ANONYMISED.has(action)) {
    await audit('refused', { reason: ANONYMISED_REFUSAL });
    throw new ConflictError(ANONYMISED_REFUSAL);
  }

  // Requests that never took a payment (the classic request workflow has no refunds at all) are refused here, in French.
  if (action === 'refund' && (await em.count(Payment, { tenant: context.tenantId, request: request.id, state: 'paid' })) === 0) {
    await audit('refused', { reason: NOTHING_TO_REFUND });
    throw new ConflictError(NOTHING_TO_REFUND);
  }

  const command = await commandFor(em, context.tenantId, action, actor, input);
  let result: ActionResult;
  try {
    result = await requests.execute(request.workflow_id, command);
  } catch (error) {
    if (!(error instanceof ActionRefusedError)) throw error;
    await audit('refused', { reason: error.message });
    throw new ConflictError(error.message, { cause: error });
  }
  await audit('ok', { state: result.state, ...summary(action, input) });
  return { ...result, message: REQUEST_ACTIONS[action].label };
}

// Audit keeps what was decided, not whole answer texts (those live in the request's own events).
function summary(action: RequestActionName, input: Record<string, string>): Record<string, unknown> {
  if (action === 'transfer') return { to: input.department };
  if (action === 'refund') return { amount: centsOfEuros(input.amount), length: input.reason.length };
  const textField = input.body ?? input.comment ?? input.question ?? input.text;
  return textField ? { length: textField.length } : {};
}
