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
  /** Only the viewer's own departments (`mes=1`); by default for an agent of a department, see inboxDefaults. */
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

/** What the inbox shows when the query string does not say. */
export interface InboxDefaults {
  mine: boolean;
}

/**
 * The inbox an agent lands on: the open requests of their own departments. Administrators keep every department's
 * open requests (they oversee the whole town hall), as does an agent of no department (nothing would be theirs).
 */
export function inboxDefaults(viewer: { isAdmin: boolean; departmentIds: string[] }): InboxDefaults {
  return { mine: !viewer.isAdmin && viewer.departmentIds.length > 0 };
}

/**
 * Parses inbox query parameters; a bad value is a 400 with French messages, never a silent default. Without `mes`, the
 * scope is the viewer's default; one department chosen (`service`) names the scope by itself, whatever `mes` says.
 */
export function parseInboxFilters(params: Params, defaults: InboxDefaults = { mine: false }): InboxFilters {
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
  const mine = param(params, 'mes');
  if (mine !== undefined && mine !== '1' && mine !== '0') errors.push({ path: '/mes', message: 'Périmètre inconnu : « 1 » (mes services) ou « 0 » (tous les services).' });
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
    mine: department ? false : mine === undefined ? defaults.mine : mine === '1',
    q: q || undefined,
    sort: sort as InboxFilters['sort'],
    after,
    limit,
  };
}

/** Query string of a set of filters (for links and the next page); the scope is left out when it is the default one. */
export function filtersToQuery(filters: Partial<InboxFilters>, defaults: InboxDefaults = { mine: false }): string {
  const search = new URLSearchParams();
  if (filters.state && filters.state !== 'open') search.set('etat', filters.state);
  if (filters.department) search.set('service', filters.department);
  if (filters.topic) search.set('theme', filters.topic);
  if (filters.channel) search.set('canal', filters.channel);
  if (filters.overdue) search.set('retard', '1');
  if (!filters.department && filters.mine !== undefined && filters.mine !== defaults.mine) search.set('mes', filters.mine ? '1' : '0');
  if (filters.q) search.set('q', filters.q);
  if (filters.sort && filters.sort !== 'received') search.set('tri', filters.sort);
  if (filters.after) search.set('apres', filters.after);
  const text = search.toString();
  return text ? `?${text}` : '';
}
