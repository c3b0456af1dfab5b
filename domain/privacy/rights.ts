import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '@/domain/audit/log';
import { Tenant } from '@/domain/entities';
import { query } from '@/domain/sql';
import { ConflictError, compileValidator } from '@/domain/validation';
import { CLEAR_INBOUND_EMAIL, INBOUND_EMAIL_NOT_CLEARED, anonymiseRequests, type AnonymisationCounts } from './anonymise';
import { addressedRows, auditedPerson, parsePersonKey, requestIdsOf, type PersonKey } from './person';
import { collectPersonalData, isOpenState, summarise, type PersonalData, type PersonSummary } from './personal-data';
import { PERSONAL_DATA_TEMPLATE, personalDataPdfModel } from './personal-data-pdf';
import { eraseSubscriptions, type SubscriptionErasureCounts } from './subscriptions';

/** The administrator or data protection officer exercising a citizen's rights (checked by the route). */
export interface RightsContext {
  tenantId: string;
  agentId: string;
}

/** Renders a Handlebars template to PDF (the web process's jsreport). */
export type RenderPdf = (template: { content: string }, data: unknown) => Promise<Buffer>;

async function audit(em: EntityManager, ctx: RightsContext, action: string, person: PersonKey, data: Record<string, unknown> = {}): Promise<void> {
  await writeAudit(em, { tenantId: ctx.tenantId, agentId: ctx.agentId, action, target: null, data: { person: auditedPerson(ctx.tenantId, person), ...data } });
}

/** Searches the tenant for a person by e-mail or phone: their requests (reference, topic, dates, state) and how much is held. */
export async function searchPerson(em: EntityManager, ctx: RightsContext, body: unknown): Promise<PersonSummary> {
  const person = parsePersonKey(body);
  const summary = summarise(await collectPersonalData(em, ctx.tenantId, person));
  await audit(em, ctx, 'privacy.search', person, { found: summary.counts.requests });
  return summary;
}

/** Everything held about the person, to show on screen. */
export async function viewPerson(em: EntityManager, ctx: RightsContext, body: unknown): Promise<PersonalData> {
  const person = parsePersonKey(body);
  const data = await collectPersonalData(em, ctx.tenantId, person);
  await audit(em, ctx, 'privacy.view', person, { references: data.requests.map((r) => r.reference) });
  return data;
}

/** The right-of-access export as JSON (a file the person can take away), with their attachments and documents inside. */
export async function exportPersonJson(em: EntityManager, ctx: RightsContext, body: unknown): Promise<{ fileName: string; content: string }> {
  const person = parsePersonKey(body);
  const data = await collectPersonalData(em, ctx.tenantId, person, { withFiles: true });
  await audit(em, ctx, 'privacy.export.json', person, { references: data.requests.map((r) => r.reference) });
  return { fileName: `donnees-personnelles-${data.generatedAt.slice(0, 10)}.json`, content: JSON.stringify(data, null, 2) };
}

/** The right-of-access export as a readable PDF, rendered by jsreport. */
export async function exportPersonPdf(em: EntityManager, ctx: RightsContext, body: unknown, render: RenderPdf): Promise<{ fileName: string; content: Buffer }> {
  const person = parsePersonKey(body);
  const data = await collectPersonalData(em, ctx.tenantId, person);
  const settings = await em.getRepository(Tenant).settingsOf(ctx.tenantId);
  const content = await render({ content: PERSONAL_DATA_TEMPLATE }, personalDataPdfModel(data, settings!.timeZone));
  await audit(em, ctx, 'privacy.export.pdf', person, { references: data.requests.map((r) => r.reference), bytes: content.length });
  return { fileName: `donnees-personnelles-${data.generatedAt.slice(0, 10)}.pdf`, content };
}

const validateErasure = compileValidator<{ reason: string; confirmOpen?: boolean }>({
  type: 'object',
  properties: {
    reason: { type: 'string', default: '', minLength: 5, maxLength: 1000, pattern: '\\S', errorMessage: 'Indiquez le motif de l’effacement (5 à 1 000 caractères), par exemple « Demande de la personne du 3 décembre ».' },
    confirmOpen: { type: 'boolean' },
  },
});

/** What an erasure did. */
export interface ErasureResult {
  references: string[];
  openReferences: string[];
  counts: AnonymisationCounts & { messagesWithoutRequest: number } & SubscriptionErasureCounts;
}

/**
 * Erases a person (right to erasure, RGPD art. 17): their requests are anonymised now through the shared anonymisation,
 * and the messages sent to or received from their address outside any request lose address and text. A person with an
 * open request is erased only with `confirmOpen`: that request stays in the inbox, anonymised, and can no longer be
 * answered to anyone (its workflow finds no contact and skips the citizen's notifications). Their subscriptions to
 * information lists go with their consent trails, and campaign reports lose their address.
 */
export async function erasePerson(em: EntityManager, ctx: RightsContext, body: unknown): Promise<ErasureResult> {
  const person = parsePersonKey(body);
  const input = validateErasure(body);
  return em.transactional(async (tx) => {
    const requestIds = await requestIdsOf(tx, ctx.tenantId, person);
    const requests = await query<{ id: string; reference: string; state: string }>(
      tx,
      'select id, reference, state from request where tenant_id = ? and id = any(?::uuid[]) order by reference for update',
      [ctx.tenantId, `{${requestIds.join(',')}}`],
    );
    const openReferences = requests.filter((r) => isOpenState(r.state)).map((r) => r.reference);
    if (openReferences.length && input.confirmOpen !== true) {
      throw new ConflictError(
        `Cette personne a ${openReferences.length} demande(s) en cours (${openReferences.join(', ')}) : confirmez l’effacement, ces demandes seront anonymisées et ne pourront plus recevoir de réponse.`,
      );
    }
    const notificationIds = await addressedRows(tx, ctx.tenantId, person, requestIds, 'notification', 'recipient');
    const smsIds = await addressedRows(tx, ctx.tenantId, person, requestIds, 'sms_message', 'recipient');
    const inboundIds = await addressedRows(tx, ctx.tenantId, person, requestIds, 'sms_inbound', 'sender');
    const emailIds = await addressedRows(tx, ctx.tenantId, person, requestIds, 'inbound_email', 'from_address');
    const anonymised = await anonymiseRequests(tx, ctx.tenantId, requestIds, { reason: input.reason.trim(), agentId: ctx.agentId });
    // Messages of the person outside any request (STOP, refused SMS) are not the shared anonymisation's: cleared here.
    const scope = (ids: string[]) => [ctx.tenantId, `{${ids.join(',')}}`];
    const orphans = [
      await query(tx, `update notification set recipient = '', subject = null where tenant_id = ? and request_id is null and id = any(?::uuid[]) returning id`, scope(notificationIds)),
      await query(tx, `update sms_message set recipient = '', text = '' where tenant_id = ? and request_id is null and id = any(?::uuid[]) returning id`, scope(smsIds)),
      await query(tx, `update sms_inbound set sender = '', text = '' where tenant_id = ? and request_id is null and id = any(?::uuid[]) returning id`, scope(inboundIds)),
      // Quarantined or ignored e-mails of the person that joined no request.
      await query(tx, `${CLEAR_INBOUND_EMAIL} where tenant_id = ? and request_id is null and id = any(?::uuid[]) and ${INBOUND_EMAIL_NOT_CLEARED} returning id`, scope(emailIds)),
    ];
    const messagesWithoutRequest = orphans.reduce((n, rows) => n + rows.length, 0);
    const subscriptions = await eraseSubscriptions(tx, ctx.tenantId, person);
    const result: ErasureResult = { references: requests.map((r) => r.reference), openReferences, counts: { ...anonymised, messagesWithoutRequest, ...subscriptions } };
    await audit(tx, ctx, 'privacy.erasure', person, { reason: input.reason.trim(), ...result });
    return result;
  });
}
