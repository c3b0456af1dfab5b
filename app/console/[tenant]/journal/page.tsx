import type { Metadata } from 'next';
import { AUDIT_ACTION_LABELS, auditDetails } from '@/domain/audit/labels';
import { auditAgents, auditFilterQuery, listAuditTrail, parseAuditFilters, type AuditFilters, type AuditTrailPage } from '@/domain/audit/trail';
import { reportTenant } from '@/domain/dashboard/reports';
import { InputError } from '@/domain/validation';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { consolePage } from '@/app/console/_server/page';
import { formatDateTimeWithSeconds } from '@/domain/format/french';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Journal d’audit' };

/** The audit trail of the tenant, filtered by agent, action, period and request, newest first, with a CSV export. */
export default async function AuditPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const { tenant } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'dpo', `/console/${tenant}/journal`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="audit">
        <Forbidden />
      </ConsoleShell>
    );
  }
  const raw = await searchParams;
  let filters: AuditFilters = {};
  let error: string | undefined;
  try {
    filters = parseAuditFilters(raw);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    error = e.errors.map((x) => x.message).join(' ');
  }
  const [page, agents]: [AuditTrailPage, Awaited<ReturnType<typeof auditAgents>>] = await Promise.all([
    error ? Promise.resolve({ rows: [] }) : listAuditTrail(em, principal.tenantId, filters),
    auditAgents(em.fork(), principal.tenantId),
  ]);
  const timeZone = (await reportTenant(em.fork(), principal.tenantId))?.timeZone ?? DEFAULT_TIME_ZONE;
  const actions = Object.entries(AUDIT_ACTION_LABELS).sort((a, b) => a[1].localeCompare(b[1], 'fr'));
  const base = `/console/${tenant}/journal`;
  return (
    <ConsoleShell principal={principal} current="audit">
      <h1>Journal d’audit</h1>
      <p className="muted">
        Toutes les actions enregistrées : connexions, consultations et téléchargements, exports, modifications de l’administration, effacements et traitements de conservation.
        Le journal ne peut être ni modifié ni supprimé ; ses entrées sont purgées après la durée de conservation choisie par la commune.
      </p>
      {error ? (
        <p role="alert" className="alert error">
          {error}
        </p>
      ) : null}
      <form method="get" className="filters" aria-label="Filtres du journal">
        <div>
          <label htmlFor="journal-agent">Agent</label>
          <select id="journal-agent" name="agent" defaultValue={filters.agent ?? ''}>
            <option value="">Tous</option>
            <option value="systeme">Système et citoyens (sans agent)</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="journal-action">Action</label>
          <select id="journal-action" name="action" defaultValue={filters.action ?? ''}>
            <option value="">Toutes</option>
            {actions.map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="journal-du">Du</label>
          <input id="journal-du" type="date" name="du" defaultValue={filters.from ?? ''} />
        </div>
        <div>
          <label htmlFor="journal-au">Au</label>
          <input id="journal-au" type="date" name="au" defaultValue={filters.to ?? ''} />
        </div>
        <div>
          <label htmlFor="journal-demande">Demande</label>
          <input id="journal-demande" type="text" name="demande" defaultValue={filters.reference ?? ''} placeholder="Référence" maxLength={40} />
        </div>
        <button type="submit">Filtrer</button>
        <a className="button secondary" href={`/api/v1/t/${tenant}/agent/audit?${auditFilterQuery(filters, { format: 'csv' })}`} download>
          Exporter en CSV
        </a>
      </form>
      <table>
        <caption>{page.rows.length ? `Entrées du journal, les plus récentes d’abord (${page.rows.length} sur cette page)` : 'Aucune entrée ne correspond à ces filtres.'}</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Agent</th>
            <th scope="col">Action</th>
            <th scope="col">Cible</th>
            <th scope="col">Résultat</th>
            <th scope="col">Détails</th>
          </tr>
        </thead>
        <tbody>
          {page.rows.map((r) => (
            <tr key={r.id}>
              <td>{formatDateTimeWithSeconds(new Date(r.at), timeZone)}</td>
              <td>{r.agent ?? 'Système'}</td>
              <td>{r.actionLabel}</td>
              <td>{r.target ?? '—'}</td>
              <td>{r.outcomeLabel}</td>
              <td>
                <small>{auditDetails(r.data)}</small>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav aria-label="Pages du journal" className="filters">
        {filters.after ? <a href={`${base}?${auditFilterQuery(filters)}`}>Revenir aux plus récentes</a> : null}
        {page.next ? (
          <a href={`${base}?${auditFilterQuery(filters, { apres: page.next })}`} rel="next">
            Entrées plus anciennes
          </a>
        ) : null}
      </nav>
    </ConsoleShell>
  );
}
