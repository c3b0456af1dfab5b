import type { Metadata } from 'next';
import { actorOf } from '@/domain/auth/roles';
import { CHANNELS, filtersToQuery, inboxDefaults, parseInboxFilters, type InboxFilters } from '@/domain/inbox/filters';
import { departmentChoices, topicChoices } from '@/domain/inbox/choices';
import { countByState, listInbox } from '@/domain/inbox/list';
import { REQUEST_STATES, Tenant } from '@/domain/entities';
import { CHANNEL_LABELS, STATE_LABELS } from '@/domain/states';
import { formatFrenchDateTime } from '@/domain/format/french';
import { InputError } from '@/domain/validation';
import { ChannelIcon } from '@/app/_components/console/ChannelIcon';
import { ConsoleShell } from '@/app/_components/console/ConsoleShell';
import { InboxLive } from '@/app/_components/console/InboxLive';
import { consolePage } from '@/app/console/_server/page';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Demandes' };

/** The inbox: the brochure's table with filters, search, counts per state and keyset pages. */
export default async function InboxPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { tenant } = await params;
  const { principal, em } = await consolePage(tenant, 'agent', `/console/${tenant}`);
  const raw = await searchParams;
  const actor = actorOf(principal);
  const defaults = inboxDefaults(actor);
  let filters: InboxFilters;
  let inputErrors: string[] = [];
  try {
    filters = parseInboxFilters(raw, defaults);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    inputErrors = error.errors.map((e) => e.message);
    filters = parseInboxFilters({}, defaults);
  }
  const viewer = { tenantId: principal.tenantId, departmentIds: actor.departmentIds };
  const ownDepartments = [...new Set(principal.roles.map((r) => r.departmentName))].sort((a, b) => a.localeCompare(b, 'fr'));
  const now = new Date();
  const [page, counts, departments, topics, settings] = await Promise.all([
    listInbox(em, viewer, filters, now),
    countByState(em.fork(), viewer, filters, now),
    departmentChoices(em.fork(), principal.tenantId),
    topicChoices(em.fork(), principal.tenantId),
    em.fork().getRepository(Tenant).settingsOf(principal.tenantId),
  ]);
  const timeZone = settings?.timeZone ?? DEFAULT_TIME_ZONE;
  const base = `/console/${tenant}`;
  const link = (change: Partial<InboxFilters>) => `${base}${filtersToQuery({ ...filters, after: undefined, ...change }, defaults)}`;
  const tab = (state: InboxFilters['state'], label: string, count: number) => (
    <li key={state}>
      <a href={link({ state })} aria-current={filters.state === state ? 'true' : undefined}>
        {label} ({count})
      </a>
    </li>
  );

  return (
    <ConsoleShell principal={principal} current="inbox">
      <h1>Demandes</h1>
      <InboxLive tenant={tenant} since={now.toISOString()} mine={filters.mine} />
      {inputErrors.length ? (
        <p role="alert" className="alert error">
          Filtres ignorés : {inputErrors.join(' ')}
        </p>
      ) : null}
      <nav aria-label="États">
        <ul className="tabs">
          {tab('open', 'À traiter', counts.open)}
          {REQUEST_STATES.filter((s) => counts[s] > 0 || s === 'received').map((s) => tab(s, STATE_LABELS[s], counts[s]))}
          {tab('all', 'Toutes', REQUEST_STATES.reduce((n, s) => n + counts[s], 0))}
        </ul>
      </nav>
      <p data-testid="inbox-scope">
        {scopeText(filters, ownDepartments, departments.find((d) => d.slug === filters.department)?.name, STATE_LABELS)}{' '}
        {filters.mine ? <a href={link({ mine: false, department: undefined })}>Tous les services</a> : null}
        {!filters.mine && ownDepartments.length ? <a href={link({ mine: true, department: undefined })}>Mes services seulement</a> : null}
        {filters.state === 'open' ? (
          <>
            {' · '}
            <a href={link({ state: 'all' })}>Y compris closes</a>
          </>
        ) : null}
        {filters.state === 'all' ? (
          <>
            {' · '}
            <a href={link({ state: 'open' })}>À traiter seulement</a>
          </>
        ) : null}
      </p>
      <p>
        <strong>{counts.overdue}</strong> demande{counts.overdue > 1 ? 's' : ''} en retard.
      </p>
      <form method="get" action={base} className="filters" role="search" aria-label="Filtrer les demandes">
        <input type="hidden" name="etat" value={filters.state === 'open' ? '' : filters.state} />
        <label>
          Recherche
          <input type="search" name="q" defaultValue={filters.q ?? ''} placeholder="Mots, référence…" />
        </label>
        {ownDepartments.length ? (
          <label>
            Périmètre
            <select name="mes" defaultValue={filters.mine ? '1' : '0'}>
              <option value="1">Mes services ({ownDepartments.join(', ')})</option>
              <option value="0">Tous les services</option>
            </select>
          </label>
        ) : null}
        <label>
          Service
          <select name="service" defaultValue={filters.department ?? ''}>
            <option value="">Tous</option>
            {departments.map((d) => (
              <option key={d.slug} value={d.slug}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Thème
          <select name="theme" defaultValue={filters.topic ?? ''}>
            <option value="">Tous</option>
            {topics.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Canal
          <select name="canal" defaultValue={filters.channel ?? ''}>
            <option value="">Tous</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tri
          <select name="tri" defaultValue={filters.sort}>
            <option value="received">Plus récentes d’abord</option>
            <option value="due">Échéance la plus proche</option>
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" name="retard" value="1" defaultChecked={filters.overdue} /> En retard
        </label>
        <button type="submit">Filtrer</button>
      </form>
      <table className="inbox">
        <caption className="visually-hidden">Demandes, {filters.sort === 'due' ? 'par échéance' : 'les plus récentes d’abord'}</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">État</th>
            <th scope="col">Sujet</th>
            <th scope="col">Reçu le</th>
            <th scope="col">Échéance</th>
            <th scope="col">Service / thème</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {page.rows.map((r) => (
            <tr key={r.id} className={r.overdue ? 'overdue' : undefined} data-reference={r.reference}>
              <td>
                <ChannelIcon channel={r.channel} />
              </td>
              <td>
                <span className={`badge ${r.state}`}>{STATE_LABELS[r.state]}</span>
              </td>
              <td>
                {r.subject}
                <br />
                <small className="muted">
                  {r.reference}
                  {r.citizenName ? ` — ${r.citizenName}` : ''}
                </small>
              </td>
              <td>{formatFrenchDateTime(new Date(r.receivedAt), timeZone)}</td>
              <td>
                {formatFrenchDateTime(new Date(r.dueAt), timeZone)}
                {r.overdue ? <span className="visually-hidden"> (en retard)</span> : null}
              </td>
              <td>
                {r.department} / {r.topic}
              </td>
              <td>
                <a href={`${base}/demandes/${r.reference}`} aria-label={`${actionLabel(r.state)} la demande ${r.reference}`}>
                  {actionLabel(r.state)}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.rows.length === 0 ? <p>Aucune demande ne correspond à ces critères.</p> : null}
      <nav aria-label="Pagination" className="row">
        {filters.after ? <a href={link({})}>Première page</a> : null}
        {page.next ? <a href={`${base}${filtersToQuery({ ...filters, after: page.next }, defaults)}`}>Page suivante</a> : null}
      </nav>
    </ConsoleShell>
  );
}

/** The inbox's scope in one sentence, e.g. « Demandes à traiter de mes services (Urbanisme). » */
function scopeText(filters: InboxFilters, ownDepartments: string[], departmentName: string | undefined, labels: Record<string, string>): string {
  const which = filters.state === 'open' ? 'Demandes à traiter' : filters.state === 'all' ? 'Toutes les demandes, closes comprises,' : `Demandes à l’état « ${labels[filters.state]} »`;
  const where = filters.department
    ? `du service ${departmentName ?? filters.department}`
    : filters.mine
      ? `de mes services (${ownDepartments.join(', ')})`
      : 'de tous les services';
  return `${which} ${where}.`;
}

function actionLabel(state: string): string {
  if (state === 'received') return 'Lire';
  if (state === 'answered' || state === 'closed' || state === 'rejected') return 'Consulter';
  return 'Répondre';
}
