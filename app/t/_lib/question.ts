import 'server-only';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FORM_TOKEN_FIELD, HONEYPOT_FIELD } from '@/domain/antispam/fields';
import type { IncomingFile } from '@/domain/attachments/upload-checks';
import type { NewRequestBody } from '@/domain/intake/schema';
import type { FieldError } from '@/domain/validation';
import { emptyQuestion, type QuestionValues } from '@/app/_components/portal/question-fields';
import { deleteFormDraft, loadFormDraft, saveFormDraft } from '@/domain/intake/form-drafts';

/** What a refused no-JavaScript form leaves for its next display. */
export interface QuestionDraft {
  values: QuestionValues;
  errors: FieldError[];
}

/** Reads the posted form: typed values, uploaded files, anti-spam fields. */
export async function readQuestionForm(form: FormData): Promise<{ values: QuestionValues; files: IncomingFile[]; honeypot: unknown; token: string | null }> {
  const text = (name: string, max = 10_000) => {
    const value = form.get(name);
    return typeof value === 'string' ? value.slice(0, max + 1) : '';
  };
  const values: QuestionValues = {
    ...emptyQuestion(),
    topic: text('topic', 63),
    subject: text('subject', 300),
    message: text('message'),
    name: text('name', 200),
    email: text('email', 320).trim(),
    phone: text('phone', 40).trim(),
    postalAddress: text('postalAddress', 500),
    channel: text('channel', 10) || 'email',
    consent: form.get('consent') === 'oui',
    attachmentIds: form.getAll('attachmentIds').filter((v): v is string => typeof v === 'string').slice(0, 10),
  };
  const files: IncomingFile[] = [];
  for (const entry of form.getAll('files')) {
    // Browsers send an empty part when no file is chosen.
    if (typeof entry === 'string' || (entry.size === 0 && !entry.name)) continue;
    files.push({ name: entry.name, bytes: new Uint8Array(await entry.arrayBuffer()) });
  }
  const token = form.get(FORM_TOKEN_FIELD);
  return { values, files, honeypot: form.get(HONEYPOT_FIELD), token: typeof token === 'string' ? token : null };
}

/** The intake body of the form's values: empty optional fields are left out. */
export function toRequestBody(values: QuestionValues, attachmentIds: string[]): NewRequestBody {
  const contact: NewRequestBody['contact'] = {};
  if (values.name.trim()) contact.name = values.name.trim();
  if (values.email) contact.email = values.email;
  if (values.phone) contact.phone = values.phone;
  if (values.postalAddress.trim()) contact.postalAddress = values.postalAddress.trim();
  return {
    topic: values.topic,
    subject: values.subject,
    message: values.message,
    channel: values.channel as NewRequestBody['channel'],
    contact,
    consent: values.consent,
    ...(attachmentIds.length ? { attachments: attachmentIds } : {}),
  };
}

/** Keeps a refused form for an hour. */
export function saveDraft(em: EntityManager, tenantId: string, draft: QuestionDraft): Promise<string> {
  return saveFormDraft(em, tenantId, draft);
}

/** A draft of this tenant younger than an hour, or undefined. */
export function loadDraft(em: EntityManager, tenantId: string, id: string | undefined): Promise<QuestionDraft | undefined> {
  return loadFormDraft<QuestionDraft>(em, tenantId, id);
}

/** Forgets a draft once its request is filed: it holds personal data. */
export const deleteDraft = deleteFormDraft;
