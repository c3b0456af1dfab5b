// The inbox filters as the query string carries them (French parameter names), parsed strictly.
import { REQUEST_STATES, type IntakeChannel, type RequestState } from '@/domain/entities';
import { InputError, type FieldError } from '@/domain/validation';
import { decodeCursor } from './cursor';

/** States in which a request still waits for the town hall or the citizen. */
export const OPEN_STATES: RequestState[] = ['received', 'in_progress', 'transferred', 'awaiting_citizen', 'awaiting_validation', 'awaiting_payment'];

/** Intake channels, in the order the filter lists them. */
export const CHANNELS: IntakeChannel[] = ['web', 'email', 'sms', 'form', 'counter', 'phone'];

/** Rows per inbox page. */
export const PAGE_SIZE = 50;

/** Which requests the inbox shows and in what order. */
export interface InboxFilters {
  /** 'open' (default), 'all', or one state. */
  state: 'open' | 'all' | RequestState;
  department?: string;
  topic?: string;
  channel?: IntakeChannel;
  overdue: boolean;
  mine: boolean;
  q?: string;
  sort: 'received' | 'due';
  after?: string;
  limit: number;
}

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function param(params: Params, name: string): string | undefined {
  const value = params instanceof URLSearchParams ? params.get(name) ?? undefined : params[name];
  const single = Array.isArray(value) ? value[0] : value;
  return single === undefined || single === '' ? undefined : single;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Parses inbox query parameters; a bad value is a 400 with French messages, never a silent default. */
export function parseInboxFilters(params: Params): InboxFilters {
  const errors: FieldError[] = [];
  const state = param(params, 'etat') ?? 'open';
  if (state !== 'open' && state !== 'all' && !(REQUEST_STATES as readonly string[]).includes(state)) errors.push({ path: '/etat', message: 'État inconnu.' });
  const department = param(params, 'service');
  if (department && !SLUG.test(department)) errors.push({ path: '/service', message: 'Service inconnu.' });
  const topic = param(params, 'theme');
  if (topic && !SLUG.test(topic)) errors.push({ path: '/theme', message: 'Thème inconnu.' });
  const channel = param(params, 'canal');
  if (channel && !(CHANNELS as string[]).includes(channel)) errors.push({ path: '/canal', message: 'Canal inconnu.' });
  const sort = param(params, 'tri') ?? 'received';
  if (sort !== 'received' && sort !== 'due') errors.push({ path: '/tri', message: 'Tri inconnu : « received » ou « due ».' });
  const q = param(params, 'q')?.trim();
  if (q && q.length > 200) errors.push({ path: '/q', message: 'La recherche ne doit pas dépasser 200 caractères.' });
  const after = param(params, 'apres');
  if (after && !decodeCursor(after)) errors.push({ path: '/apres', message: 'Curseur de pagination invalide.' });
  const limitText = param(params, 'limite');
  const limit = limitText === undefined ? PAGE_SIZE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) errors.push({ path: '/limite', message: 'La limite doit être un entier entre 1 et 200.' });
  if (errors.length) throw new InputError(errors);
  return {
    state: state as InboxFilters['state'],
    department,
    topic,
    channel: channel as IntakeChannel | undefined,
    overdue: param(params, 'retard') === '1',
    mine: param(params, 'mes') === '1',
    q: q || undefined,
    sort: sort as InboxFilters['sort'],
    after,
    limit,
  };
}

/** Query string of a set of filters (for links and the next page). */
export function filtersToQuery(filters: Partial<InboxFilters>): string {
  const search = new URLSearchParams();
  if (filters.state && filters.state !== 'open') search.set('etat', filters.state);
  if (filters.department) search.set('service', filters.department);
  if (filters.topic) search.set('theme', filters.topic);
  if (filters.channel) search.set('canal', filters.channel);
  if (filters.overdue) search.set('retard', '1');
  if (filters.mine) search.set('mes', '1');
  if (filters.q) search.set('q', filters.q);
  if (filters.sort && filters.sort !== 'received') search.set('tri', filters.sort);
  if (filters.after) search.set('apres', filters.after);
  const text = search.toString();
  return text ? `?${text}` : '';
}
