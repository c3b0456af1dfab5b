// An agent sends a message to the citizen again through the other channel (an e-mail bounced: SMS; an SMS lost: e-mail).
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { CitizenRequest, Notification, SmsMessage } from '@/domain/entities';
import type { Actor } from '@/domain/requests/contract';
import type { RequestState } from '@/domain/entities';
import { ConflictError, NotFoundError, compileValidator } from '@/domain/validation';
import { ANONYMISED_REFUSAL, ActionRefusedError, type ActionOutcome, type RequestCommands } from './actions';
import { citizenTemplateOf } from './notifications';

/** The audit action of a resend. */
export const RESEND_AUDIT_ACTION = 'request.resend';

/** What the console posts: the message (an e-mail's or an SMS's id) and the channel to send it through. */
export interface ResendBody {
  message: string;
  channel: 'email' | 'sms';
}

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const validateBody = compileValidator<ResendBody>({
  type: 'object',
  additionalProperties: false,
  required: ['message', 'channel'],
  properties: {
    message: { type: 'string', pattern: UUID, errorMessage: 'Choisissez le message à renvoyer.' },
    channel: { enum: ['email', 'sms'], errorMessage: 'Choisissez le canal du renvoi : courriel ou SMS.' },
  },
  errorMessage: { required: { message: 'Choisissez le message à renvoyer.', channel: 'Choisissez le canal du renvoi : courriel ou SMS.' } },
});

/** The channel a message did not go through, when the citizen gave that contact. */
export function otherChannel(channel: 'email' | 'sms', citizen: { email?: string; phone?: string }, smsAvailable: boolean): 'email' | 'sms' | undefined {
  if (channel === 'email') return citizen.phone && smsAvailable ? 'sms' : undefined;
  return citizen.email ? 'email' : undefined;
}

/**
 * Sends a message to the citizen again through another channel, as an update of the request's workflow (which keys
 * the new message once per resend). Checks what the workflow cannot know: the message, the contact, SMS availability.
 * Audited, accepted or refused.
 */
export async function resendMessage(
  deps: { em: EntityManager; requests: RequestCommands; smsAvailable: boolean },
  context: { tenantId: string; actor: Actor; reference: string },
  rawBody: unknown,
): Promise<ActionOutcome> {
  const { em, requests } = deps;
  const body = validateBody(rawBody ?? {});
  const request = await em.fork().findOne(CitizenRequest, { tenant: context.tenantId, reference: context.reference }, { fields: ['id', 'workflowId', 'citizen', 'anonymisedAt'] });
  if (!request) throw new NotFoundError(`Unknown request ${context.reference}`);
  const original = await findMessage(em, context.tenantId, request.id, body.message);
  if (!original) throw new NotFoundError(`Unknown message ${body.message}`);
  const audit = (outcome: 'ok' | 'refused', data: Record<string, unknown>) =>
    writeAudit(em, {
      tenantId: context.tenantId,
      agentId: context.actor.agentId,
      action: RESEND_AUDIT_ACTION,
      target: context.reference,
      outcome,
      data: { message: body.message, template: original.template, channel: body.channel, ...data },
    });
  const refuse = async (reason: string): Promise<never> => {
    await audit('refused', { reason });
    throw new ConflictError(reason);
  };

  if (request.anonymisedAt) await refuse(ANONYMISED_REFUSAL);
  if (!original.citizenTemplate) await refuse('Seuls les messages adressés au citoyen peuvent être renvoyés.');
  if (body.channel === original.channel) await refuse(`Ce message est déjà parti par ${body.channel === 'email' ? 'courriel' : 'SMS'} : choisissez l’autre canal.`);
  const citizen = request.citizen ?? {};
  if (body.channel === 'email' && !citizen.email) await refuse('Le citoyen n’a pas donné d’adresse électronique.');
  if (body.channel === 'sms' && !citizen.phone) await refuse('Le citoyen n’a pas donné de numéro de téléphone mobile.');
  if (body.channel === 'sms' && !deps.smsAvailable) await refuse('L’envoi de SMS n’est pas configuré sur cette installation.');

  try {
    const result = await requests.execute(request.workflowId, {
      action: 'resend',
      actor: context.actor,
      template: original.citizenTemplate!,
      channel: body.channel,
      state: original.state,
    });
    await audit('ok', { state: result.state });
    return { ...result, message: body.channel === 'sms' ? 'Message renvoyé par SMS' : 'Message renvoyé par courriel' };
  } catch (error) {
    if (!(error instanceof ActionRefusedError)) throw error;
    await audit('refused', { reason: error.message });
    throw new ConflictError(error.message, { cause: error });
  }
}

async function findMessage(em: EntityManager, tenantId: string, requestId: string, id: string) {
  const email = await em.fork().findOne(Notification, { id, tenant: tenantId, request: requestId }, { fields: ['template', 'idempotencyKey'] });
  if (email) return { channel: 'email' as const, template: email.template, citizenTemplate: citizenTemplateOf(email.template), state: stateOf(email.idempotencyKey) };
  const sms = await em.fork().findOne(SmsMessage, { id, tenant: tenantId, request: requestId }, { fields: ['template', 'idempotencyKey'] });
  if (sms) return { channel: 'sms' as const, template: sms.template ?? '', citizenTemplate: citizenTemplateOf(sms.template), state: stateOf(sms.idempotencyKey) };
  return undefined;
}

// State messages are keyed `…:state:<state>` by the workflow.
function stateOf(key: string): RequestState | undefined {
  return (/:state:([a-z_]+)$/.exec(key)?.[1] as RequestState | undefined) ?? undefined;
}
