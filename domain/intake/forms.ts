import type { MikroORM } from '@mikro-orm/postgresql';
import { addressLines, describeAnswers } from '@/forms/runtime/answers';
import type { FormDefinition, FormError, UiField } from '@/forms/runtime/types';
import { type CitizenContact, type IntakeChannel, type ReplyChannel, Tenant } from '@/domain/entities';
import { compileStoredForm, ensureShippedForms, formAtVersion, latestForm, type StoredForm } from '@/domain/forms/store';
import { query } from '@/domain/sql';
import { InputError, NotFoundError } from '@/domain/validation';
import type { createIntake, PublicIntakeOutcome, PublicSubmissionOptions } from './submission';

/** A form submission: the data, and the version the citizen filled in (the latest when absent). */
export interface FormSubmission {
  data: unknown;
  version?: number;
}

/** The outcome of a form request (a new request, or the one it repeats), with the form version it was validated against. */
export type FormReceipt = PublicIntakeOutcome & { formVersion: number };

/** Dependencies of the form intake: the ORM and the ordinary intake it hands the request to. */
export interface FormIntakeDeps {
  orm: MikroORM;
  intake: ReturnType<typeof createIntake>;
}

/** A form offered by a tenant through one of its topics. */
export interface TenantForm {
  topic: { id: string; slug: string; label: string; kind: string };
  form: StoredForm;
}

/** Finds the active topic of a tenant that carries a form, and the form at the wanted (or latest) version. */
export async function findTenantForm(orm: MikroORM, tenantSlug: string, formSlug: string, version?: number): Promise<TenantForm> {
  await ensureShippedForms(orm);
  const em = orm.em.fork();
  const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
  const [topic] = await query<TenantForm['topic']>(em, 'select id, slug, label, kind from topic where tenant_id = ? and form = ? and active order by position limit 1', [tenant.id, formSlug]);
  if (!topic) throw new NotFoundError(`Form ${formSlug} is not offered by ${tenantSlug}`);
  const form = version === undefined ? await latestForm(em, tenant.id, formSlug) : await formAtVersion(em, tenant.id, formSlug, version);
  if (!form) {
    if (version !== undefined) throw new InputError([{ path: '/version', message: `La version ${version} de ce formulaire n'existe pas.` }]);
    throw new NotFoundError(`Form ${formSlug} has no stored definition`);
  }
  return { topic, form };
}

/** Where each contact detail was read from, so intake errors can point at the form field. */
interface DerivedContact {
  contact: CitizenContact;
  sources: Partial<Record<keyof CitizenContact, string>>;
  channel: ReplyChannel;
}

const FIRST_NAME = /^\/(prenoms?)(Responsable|Demandeur)?$/;
const LAST_NAME = /^\/(nom)(Responsable|Demandeur)?$/;

/**
 * Contact details of the requester from the form data: the first e-mail, phone and address widgets,
 * and a name from `prenom`/`nom` fields (a `…Responsable` pair wins: it is the adult who applies).
 */
export function contactFromForm(definition: FormDefinition, data: Record<string, unknown>): DerivedContact {
  const fields = definition.ui.pages.flatMap((p) => p.fields);
  const value = (f: UiField) => {
    const key = f.name.slice(1);
    return f.name.lastIndexOf('/') === 0 ? data[key] : undefined;
  };
  const first = (widget: UiField['widget']) => fields.find((f) => f.widget === widget && value(f) !== undefined);
  const sources: DerivedContact['sources'] = {};
  const contact: CitizenContact = {};
  // Sources default to the first field of each widget, filled or not, so "missing e-mail" lands on a field.
  const email = first('email') ?? fields.find((f) => f.widget === 'email');
  if (email) sources.email = email.name;
  if (email && value(email) !== undefined) contact.email = String(value(email));
  const phone = first('tel') ?? fields.find((f) => f.widget === 'tel');
  if (phone) sources.phone = phone.name;
  if (phone && value(phone) !== undefined) contact.phone = String(value(phone));
  const address = first('address') ?? fields.find((f) => f.widget === 'address');
  if (address) sources.postalAddress = address.name;
  if (address && value(address) !== undefined) contact.postalAddress = addressLines(value(address)).join('\n');
  const pick = (pattern: RegExp) => {
    const candidates = fields.filter((f) => pattern.test(f.name) && typeof value(f) === 'string');
    return candidates.find((f) => /Responsable|Demandeur/.test(f.name)) ?? candidates[0];
  };
  const given = pick(FIRST_NAME);
  const family = pick(LAST_NAME);
  const name = [given && value(given), family && value(family)].filter(Boolean).join(' ');
  if (name) {
    contact.name = name;
    sources.name = (family ?? given)!.name;
  }
  const wantsPost = data.modeDelivrance === 'courrier' || (definition.workflow.delivery?.length === 1 && definition.workflow.delivery[0] === 'post');
  const channel: ReplyChannel = wantsPost && contact.postalAddress ? 'post' : contact.email ? 'email' : contact.phone ? 'sms' : 'email';
  return { contact, sources, channel };
}

/** Builds the request message agents read: every visible answer, page by page. */
export function formMessage(definition: FormDefinition, data: Record<string, unknown>): string {
  const lines: string[] = [];
  let page = '';
  for (const answer of describeAnswers(definition, data)) {
    if (answer.page !== page) {
      if (page) lines.push('');
      lines.push(`${answer.page}`);
      page = answer.page;
    }
    lines.push(`- ${answer.label} : ${answer.value}`);
  }
  return lines.join('\n').slice(0, 10_000) || definition.title;
}

function prefixed(errors: FormError[]): FormError[] {
  return errors.map((e) => ({ path: `/data${e.path}`, message: e.message }));
}

/** The form intake: validates form data on the server with the stored definition, then files the request. */
export function createFormIntake(deps: FormIntakeDeps) {
  /** Validates a submission of one form and files the request; InputError paths point into `/data`. */
  async function submitForm(
    tenantSlug: string,
    formSlug: string,
    submission: FormSubmission,
    channel: IntakeChannel = 'form',
    options: Pick<PublicSubmissionOptions, 'clientAddress'> = {},
  ): Promise<FormReceipt> {
    const { topic, form } = await findTenantForm(deps.orm, tenantSlug, formSlug, submission.version);
    const result = compileStoredForm(form).validate(submission.data);
    if (!result.valid || !result.data) throw new InputError(prefixed(result.errors));
    const data = result.data;
    const { contact, sources, channel: replyChannel } = contactFromForm(form.definition, data);
    const body = {
      topic: topic.slug,
      subject: form.definition.title.slice(0, 200),
      message: formMessage(form.definition, data),
      contact,
      channel: replyChannel,
      data,
    };
    try {
      const outcome = await deps.intake.submitPublicRequest(tenantSlug, body, channel, { ...options, form: { version: form.version, process: form.definition.process } });
      return { ...outcome, formVersion: form.version };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      // Contact problems are the citizen's to fix on the form: point at the field the detail came from.
      throw new InputError(contactErrors(error.errors, sources));
    }
  }

  /**
   * The generic `POST /requests` body: when its topic carries a form, `data` is validated with that form
   * (at `formVersion` or the latest) before the request exists; other topics go straight to the intake.
   */
  async function submitRequestWithForm(
    tenantSlug: string,
    body: unknown,
    channel: IntakeChannel = 'web',
    options: Pick<PublicSubmissionOptions, 'clientAddress'> = {},
  ): Promise<PublicIntakeOutcome & { formVersion?: number }> {
    const topicSlug = typeof body === 'object' && body !== null ? (body as { topic?: unknown }).topic : undefined;
    if (typeof topicSlug !== 'string') return deps.intake.submitPublicRequest(tenantSlug, body, channel, options);
    const em = deps.orm.em.fork();
    const tenant = await em.getRepository(Tenant).getBySlug(tenantSlug);
    const [topic] = await query<{ form: string | null }>(em, 'select form from topic where tenant_id = ? and slug = ? and active', [tenant.id, topicSlug]);
    if (!topic?.form) return deps.intake.submitPublicRequest(tenantSlug, body, channel, options);
    const { form } = await findTenantForm(deps.orm, tenantSlug, topic.form);
    const result = compileStoredForm(form).validate((body as { data?: unknown }).data ?? {});
    if (!result.valid || !result.data) throw new InputError(prefixed(result.errors));
    const outcome = await deps.intake.submitPublicRequest(tenantSlug, { ...(body as object), data: result.data }, channel, { ...options, form: { version: form.version, process: form.definition.process } });
    return { ...outcome, formVersion: form.version };
  }

  return { submitForm, submitRequestWithForm };
}

const NO_CONTACT = 'Indiquez une adresse électronique ou un numéro de téléphone pour suivre votre demande.';

/** Intake errors on `/contact…` pointed at the form fields the details came from; "no e-mail nor phone" becomes one message. */
function contactErrors(errors: FormError[], sources: DerivedContact['sources']): FormError[] {
  const isContact = (e: FormError) => /^\/contact(\/|$)/.test(e.path);
  const others = errors.filter((e) => !isContact(e));
  const contact = errors.filter(isContact);
  const fallback = sources.email ?? sources.phone;
  if (contact.some((e) => e.path === '/contact') && fallback) return [{ path: `/data${fallback}`, message: NO_CONTACT }, ...others];
  const mapped = contact.map((e) => {
    const source = sources[e.path.slice('/contact/'.length) as keyof CitizenContact];
    return source ? { path: `/data${source}`, message: e.message } : e;
  });
  return [...mapped, ...others];
}
