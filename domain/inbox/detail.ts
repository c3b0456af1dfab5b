import type { EntityManager } from '@mikro-orm/postgresql';
import { renderText } from '@/domain/notifications/templates';
import type { CitizenContact, IntakeChannel, ReplyChannel, RequestState } from '@/domain/entities';
import { formatFrenchDateTime } from '@/domain/format/french';
import { sql } from '@/domain/auth/db';
import { NotFoundError } from '@/domain/validation';
import { OPEN_STATES } from './filters';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';

/** One event of the request's full (internal) timeline. */
export interface TimelineEntry {
  at: string;
  type: string;
  state: RequestState | null;
  public: boolean;
  actor: string | null;
  data: Record<string, unknown>;
}

/** Everything the case page shows about a request. */
export interface RequestDetail {
  id: string;
  reference: string;
  workflowId: string;
  state: RequestState;
  channel: IntakeChannel;
  replyChannel: ReplyChannel;
  kind: string;
  subject: string;
  body: string;
  formData: Record<string, unknown> | null;
  citizen: CitizenContact;
  topic: { slug: string; label: string; validationRequired: boolean };
  department: { id: string; slug: string; name: string };
  originDepartmentId: string;
  receivedAt: string;
  dueAt: string;
  answeredAt: string | null;
  answer: string | null;
  /** Set when the citizen's data was erased (right to erasure or retention): nobody can be answered any more. */
  anonymisedAt: string | null;
  overdue: boolean;
  timeZone: string;
  tenantName: string;
  validationRequired: boolean;
  /** The process the request follows (slug and version), or null for one on its topic's own settings. */
  process: { slug: string; version: number } | null;
  draft: string | null;
  validationComment: string | null;
  timeline: TimelineEntry[];
  attachments: Array<{ id: string; name: string; type: string; size: number }>;
}

/** The full record of a request of this tenant; NotFoundError for any other tenant's reference. */
export async function getRequestDetail(em: EntityManager, tenantId: string, reference: string, now = new Date()): Promise<RequestDetail> {
  const [row] = await sql<{
    id: string; reference: string; workflow_id: string; state: RequestState; channel: IntakeChannel; reply_channel: ReplyChannel; kind: string;
    subject: string; body: string; form_data: Record<string, unknown> | null; citizen: CitizenContact; topic_slug: string; topic_label: string;
    topic_validation: boolean; department_id: string; department_slug: string; department_name: string; received_at: Date; due_at: Date;
    answered_at: Date | null; answer: string | null; anonymised_at: Date | null; process_slug: string | null; process_version: number | null; settings: { timeZone?: string; validationRequired?: boolean }; tenant_name: string;
  }>(
    em,
    `select r.id, r.reference, r.workflow_id, r.state, r.channel, r.reply_channel, r.kind, r.subject, r.body, r.form_data, r.citizen,
            tp.slug as topic_slug, tp.label as topic_label, tp.validation_required as topic_validation,
            d.id as department_id, d.slug as department_slug, d.name as department_name, r.received_at, r.due_at, r.answered_at, r.answer,
            r.anonymised_at, r.process_slug, r.process_version, t.settings, t.name as tenant_name
       from request r join tenant t on t.id = r.tenant_id join topic tp on tp.id = r.topic_id join department d on d.id = r.department_id
      where r.tenant_id = ? and r.reference = ?`,
    [tenantId, reference],
  );
  if (!row) throw new NotFoundError(`Unknown request ${reference}`);
  const events = await sql<{ created_at: Date; type: string; state: RequestState | null; public: boolean; actor: string | null; actor_name: string | null; data: Record<string, unknown> }>(
    em,
    `select e.created_at, e.type, e.state, e.public, e.actor, a.name as actor_name, e.data
       from request_event e left join agent a on a.id::text = e.actor and a.tenant_id = e.tenant_id
      where e.request_id = ? and e.tenant_id = ? order by e.created_at, e.key`,
    [row.id, tenantId],
  );
  const attachments = await sql<{ id: string; name: string; type: string; size: number }>(
    em,
    'select id, name, type, size from attachment where request_id = ? and tenant_id = ? order by created_at',
    [row.id, tenantId],
  ).catch(() => []);
  const timeline = events.map((e) => ({
    at: new Date(e.created_at).toISOString(),
    type: e.type,
    state: e.state,
    public: e.public,
    actor: e.actor_name ?? (e.actor === 'citizen' ? 'Citoyen' : e.actor === 'system' ? 'Relais' : e.actor),
    data: e.data,
  }));
  // The workflow keeps the draft; its last draft-bearing event mirrors it without a Temporal round trip.
  let draft: string | null = null;
  let validationComment: string | null = null;
  for (const e of timeline) {
    if (e.type === 'draft_saved' || e.type === 'submitted_for_validation') draft = String(e.data.body ?? '');
    if (e.type === 'returned') validationComment = String(e.data.comment ?? '');
    if (e.type === 'submitted_for_validation') validationComment = null;
    if (e.type === 'answered') draft = null;
  }
  const originDepartment = (events.find((e) => e.type === 'transferred')?.data.from as string | undefined) ?? row.department_slug;
  const [origin] = await sql<{ id: string }>(em, 'select id from department where tenant_id = ? and slug = ?', [tenantId, originDepartment]);
  return {
    id: row.id,
    reference: row.reference,
    workflowId: row.workflow_id,
    state: row.state,
    channel: row.channel,
    replyChannel: row.reply_channel,
    kind: row.kind,
    subject: row.subject,
    body: row.body,
    formData: row.form_data,
    citizen: row.citizen,
    topic: { slug: row.topic_slug, label: row.topic_label, validationRequired: row.topic_validation },
    department: { id: row.department_id, slug: row.department_slug, name: row.department_name },
    originDepartmentId: origin?.id ?? row.department_id,
    receivedAt: new Date(row.received_at).toISOString(),
    dueAt: new Date(row.due_at).toISOString(),
    answeredAt: row.answered_at ? new Date(row.answered_at).toISOString() : null,
    answer: row.answer,
    anonymisedAt: row.anonymised_at ? new Date(row.anonymised_at).toISOString() : null,
    overdue: OPEN_STATES.includes(row.state) && new Date(row.due_at) < now,
    timeZone: row.settings.timeZone ?? DEFAULT_TIME_ZONE,
    tenantName: row.tenant_name,
    validationRequired: row.topic_validation || !!row.settings.validationRequired,
    process: row.process_slug && row.process_version ? { slug: row.process_slug, version: row.process_version } : null,
    draft,
    validationComment,
    timeline,
    attachments,
  };
}

/** An answer template with its variables filled in for one request. */
export interface FilledTemplate {
  slug: string;
  title: string;
  body: string;
}

/** Templates of the request's department and the tenant-wide ones, filled in for this request and agent. */
export async function filledTemplates(em: EntityManager, tenantId: string, detail: RequestDetail, agentName: string): Promise<FilledTemplate[]> {
  const rows = await sql<{ slug: string; title: string; body: string }>(
    em,
    'select slug, title, body from answer_template where tenant_id = ? and (department_id is null or department_id = ?) order by title',
    [tenantId, detail.department.id],
  );
  const vars = templateVariables(detail, agentName);
  return rows.map((r) => ({ slug: r.slug, title: r.title, body: safeRender(r.body, vars) }));
}

/** Variables an answer template may use. */
export function templateVariables(detail: Pick<RequestDetail, 'citizen' | 'reference' | 'subject' | 'topic' | 'department' | 'dueAt' | 'receivedAt' | 'timeZone' | 'tenantName'>, agentName: string) {
  return {
    citizenName: detail.citizen.name ?? '',
    reference: detail.reference,
    subject: detail.subject,
    topicLabel: detail.topic.label,
    departmentName: detail.department.name,
    dueDate: formatFrenchDateTime(new Date(detail.dueAt), detail.timeZone),
    receivedDate: formatFrenchDateTime(new Date(detail.receivedAt), detail.timeZone),
    tenantName: detail.tenantName,
    agentName,
  };
}

function safeRender(body: string, vars: Record<string, unknown>): string {
  try {
    return renderText(body, vars);
  } catch {
    return body;
  }
}

/** An answered request that resembles this one. */
export interface SimilarRequest {
  reference: string;
  subject: string;
  answer: string;
  answeredAt: string | null;
  rank: number;
}

/** Answered requests of the same tenant ranked by full-text similarity to this request's subject and body. */
export async function similarAnswered(em: EntityManager, tenantId: string, requestId: string, limit = 5): Promise<SimilarRequest[]> {
  // The request's own lexemes, subject (weight A) first, OR-ed into a query; ts_rank favours requests sharing many of them.
  const rows = await sql<{ reference: string; subject: string; answer: string; answered_at: Date | null; rank: number }>(
    em,
    `with terms as (
       select string_agg(quote_literal(lexeme), ' | ')::tsquery as q
         from (select lexeme from request, unnest(search) u where id = ? and tenant_id = ? and length(lexeme) > 2
                order by (weights @> '{A}') desc, array_length(positions, 1) desc nulls last limit 24) l)
     select r.reference, r.subject, r.answer, r.answered_at, ts_rank(r.search, terms.q)::float8 as rank
       from request r, terms
      where terms.q is not null and r.tenant_id = ? and r.id <> ? and r.answer is not null and r.search @@ terms.q
      order by rank desc, r.answered_at desc nulls last limit ?`,
    [requestId, tenantId, tenantId, requestId, limit],
  );
  return rows.map((r) => ({ reference: r.reference, subject: r.subject, answer: r.answer, answeredAt: r.answered_at ? new Date(r.answered_at).toISOString() : null, rank: r.rank }));
}

/** Contents of one attachment of a request of this tenant. */
export async function attachmentContent(em: EntityManager, tenantId: string, reference: string, attachmentId: string) {
  if (!/^[0-9a-f-]{36}$/.test(attachmentId)) throw new NotFoundError('Unknown attachment');
  const [row] = await sql<{ name: string; type: string; content: Buffer }>(
    em,
    `select a.name, a.type, a.content from attachment a join request r on r.id = a.request_id
      where a.id = ? and a.tenant_id = ? and r.tenant_id = ? and r.reference = ?`,
    [attachmentId, tenantId, tenantId, reference],
  );
  if (!row) throw new NotFoundError('Unknown attachment');
  return row;
}
