import type { EntityManager } from '@mikro-orm/postgresql';
import type { CitizenContact, TenantBranding, TenantSettings } from '@/domain/entities';
import { query } from '@/domain/sql';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';

/** The letterhead of a tenant as templates read it. */
export interface Letterhead {
  name: string;
  primaryColor: string;
  logoUrl?: string;
  addressLines: string[];
  phone?: string;
  email?: string;
  website?: string;
}

/** Letterhead, town name and time zone of a tenant. */
export interface TenantDocumentContext {
  tenantId: string;
  slug: string;
  letterhead: Letterhead;
  place: string;
  timeZone: string;
}

/** Loads what every document of a tenant shows; undefined for an unknown tenant. */
export async function loadTenantContext(em: EntityManager, tenantId: string): Promise<TenantDocumentContext | undefined> {
  const [row] = await query<{ id: string; slug: string; name: string; branding: TenantBranding; settings: TenantSettings }>(
    em,
    'select id, slug, name, branding, settings from tenant where id = ?',
    [tenantId],
  );
  if (!row) return undefined;
  const contact = row.settings.contact ?? {};
  const addressLines = (contact.address ?? '').split(/\s*,\s*|\n/).filter(Boolean);
  const place = /\d{5}\s+(.+)$/.exec(addressLines.at(-1) ?? '')?.[1] ?? row.name.replace(/^(Ville|Commune|Mairie) d[e'’]\s*/i, '');
  return {
    tenantId: row.id,
    slug: row.slug,
    // Only inline images: a remote logo would make Chromium fetch the network in the middle of a render.
    letterhead: {
      name: row.name,
      primaryColor: /^#[0-9a-fA-F]{3,8}$/.test(row.branding.primaryColor) ? row.branding.primaryColor : '#000091',
      logoUrl: row.branding.logoUrl?.startsWith('data:image/') ? row.branding.logoUrl : undefined,
      addressLines,
      phone: contact.phone,
      email: contact.email,
      website: row.branding.websiteUrl,
    },
    place,
    timeZone: row.settings.timeZone ?? DEFAULT_TIME_ZONE,
  };
}

/** A request as documents need it. */
export interface RequestDocumentContext {
  id: string;
  reference: string;
  subject: string;
  citizen: CitizenContact;
  replyChannel: string;
  answer: string | null;
  receivedAt: Date;
  dueAt: Date;
  topicLabel: string;
  topicForm: string | null;
  departmentName: string;
  formData: Record<string, unknown> | null;
  formVersion: number | null;
}

/** Loads a request of a tenant; undefined when it does not exist. */
export async function loadRequestForDocument(em: EntityManager, tenantId: string, requestId: string): Promise<RequestDocumentContext | undefined> {
  const [row] = await query<{
    id: string;
    reference: string;
    subject: string;
    citizen: CitizenContact;
    reply_channel: string;
    answer: string | null;
    received_at: Date;
    due_at: Date;
    topic_label: string;
    topic_form: string | null;
    department_name: string;
    form_data: Record<string, unknown> | null;
    form_version: number | null;
  }>(
    em,
    `select r.id, r.reference, r.subject, r.citizen, r.reply_channel, r.answer, r.received_at, r.due_at, tp.label as topic_label,
            tp.form as topic_form, d.name as department_name, r.form_data, r.form_version
       from request r join topic tp on tp.id = r.topic_id join department d on d.id = r.department_id
      where r.id = ? and r.tenant_id = ?`,
    [requestId, tenantId],
  );
  if (!row) return undefined;
  return {
    id: row.id,
    reference: row.reference,
    subject: row.subject,
    citizen: row.citizen,
    replyChannel: row.reply_channel,
    answer: row.answer,
    receivedAt: new Date(row.received_at),
    dueAt: new Date(row.due_at),
    topicLabel: row.topic_label,
    topicForm: row.topic_form,
    departmentName: row.department_name,
    formData: row.form_data,
    formVersion: row.form_version,
  };
}

/** Recipient block lines: name then address, at most six lines as La Poste asks. */
export function recipientLines(citizen: CitizenContact): string[] {
  const address = (citizen.postalAddress ?? '').split(/\n|\s*,\s*(?=\S)/).map((l) => l.trim()).filter(Boolean);
  return [citizen.name?.trim(), ...address].filter((l): l is string => Boolean(l)).slice(0, 6);
}
