import type { Metadata } from 'next';
import { departmentStats, weeklyTrend } from '@/domain/dashboard/department-stats';
import { parseRange } from '@/domain/dashboard/range';
import { lastClosedMonth } from '@/domain/dashboard/monthly';
import { listQualityReports, reportTenant, type QualityReportSummary } from '@/domain/dashboard/reports';
import { formatFrenchDateTime } from '@/domain/format/french';
import { InputError } from '@/domain/validation';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { QualityReportRequest } from '@/app/_components/console/QualityReportRequest';
import { TrendChart } from '@/app/_components/console/TrendChart';
import { consolePage } from '@/app/console/_server/page';
import { temporalUiUrl } from '@/app/console/_server/services';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Tableau de bord' };

/** Quality of service per department: volumes, delays, share on time, weekly trend, CSV export; monthly reports for administrators. */
export default async function DashboardPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const { tenant } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'head', `/console/${tenant}/tableau-de-bord`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="dashboard">
        <Forbidden />
      </ConsoleShell>
    );
  }
  const raw = await searchParams;
  let error: string | undefined;
  let range;
  try {
    range = parseRange(raw);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    error = e.errors.map((x) => x.message).join(' ');
    range = parseRange({});
  }
  const scope = principal.isAdmin ? undefined : [...new Set(principal.roles.filter((r) => r.role === 'head').map((r) => r.departmentId))];
  const [stats, trend] = await Promise.all([departmentStats(em, principal.tenantId, range, scope), weeklyTrend(em.fork(), principal.tenantId, range, scope)]);
  const percent = (n: number | null) => (n === null ? '—' : `${Math.round(n * 100)} %`);
  const hours = (n: number | null) => (n === null ? '—' : n < 48 ? `${String(n).replace('.', ',')} h` : `${String(Math.round((n / 24) * 10) / 10).replace('.', ',')} j`);
  const ui = temporalUiUrl();
  // The monthly report covers every department: administrators only, as heads see their own departments here.
  const tenantInfo = principal.isAdmin ? await reportTenant(em, principal.tenantId) : undefined;
  const reports = tenantInfo ? await listQualityReports(em, tenantInfo) : [];
  return (
    <ConsoleShell principal={principal} current="dashboard">
      <h1>Tableau de bord</h1>
      {error ? (
        <p role="alert" className="alert error">
          {error}
        </p>
      ) : null}
      <form method="get" className="filters" aria-label="Période">
        <label>
          Du
          <input type="date" name="du" defaultValue={range.fromDay} />
        </label>
        <label>
          Au
          <input type="date" name="au" defaultValue={range.toDay} />
        </label>
        <button type="submit">Afficher</button>
        <a className="button secondary" href={`/api/v1/t/${tenant}/agent/dashboard?du=${range.fromDay}&au=${range.toDay}&format=csv`}>
          Exporter en CSV
        </a>
      </form>
      <table>
        <caption>
          Qualité de service du {range.fromDay.split('-').reverse().join('/')} au {range.toDay.split('-').reverse().join('/')}
        </caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Reçues</th>
            <th scope="col">Répondues</th>
            <th scope="col">En cours</th>
            <th scope="col">En retard</th>
            <th scope="col">Délai médian</th>
            <th scope="col">Délai 90e centile</th>
            <th scope="col">Répondues dans le délai</th>
          </tr>
        </thead>
        <tbody>
          {stats.map((s) => (
            <tr key={s.slug} data-department={s.slug}>
              <th scope="row">{s.name}</th>
              <td data-figure="received">{s.received}</td>
              <td data-figure="answered">{s.answered}</td>
              <td data-figure="open">{s.open}</td>
              <td data-figure="overdue">{s.overdueNow}</td>
              <td>{hours(s.medianHours)}</td>
              <td>{hours(s.p90Hours)}</td>
              <td>{percent(s.onTimeShare)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Évolution hebdomadaire</h2>
      <TrendChart data={trend} />
      <table>
        <caption className="visually-hidden">Demandes reçues et répondues par semaine</caption>
        <thead>
          <tr>
            <th scope="col">Semaine du</th>
            <th scope="col">Reçues</th>
            <th scope="col">Répondues</th>
          </tr>
        </thead>
        <tbody>
          {trend.map((w) => (
            <tr key={w.week}>
              <th scope="row">{w.week.split('-').reverse().join('/')}</th>
              <td>{w.received}</td>
              <td>{w.answered}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {tenantInfo ? <MonthlyReports tenant={tenant} timeZone={tenantInfo.timeZone} reports={reports} /> : null}
      {ui ? (
        <p>
          <a href={ui}>Ouvrir l’interface Temporal (suivi technique des processus)</a>
        </p>
      ) : null}
    </ConsoleShell>
  );
}

function MonthlyReports({ tenant, timeZone, reports }: { tenant: string; timeZone: string; reports: QualityReportSummary[] }) {
  return (
    <section aria-labelledby="rapports-mensuels">
      <h2 id="rapports-mensuels">Rapports mensuels</h2>
      <p className="muted">
        Le rapport de qualité de service du mois écoulé est produit le 1er de chaque mois à 6 h (heure de {timeZone}) et envoyé par courriel aux
        administrateurs.
      </p>
      {reports.length ? (
        <table>
          <caption className="visually-hidden">Rapports mensuels de qualité de service</caption>
          <thead>
            <tr>
              <th scope="col">Mois</th>
              <th scope="col">Produit le</th>
              <th scope="col">Rapport</th>
            </tr>
          </thead>
          <tbody>
            {reports.map((r) => (
              <tr key={r.month} data-month={r.month}>
                <th scope="row">{r.label}</th>
                <td>{formatFrenchDateTime(new Date(r.createdAt), timeZone)}</td>
                <td>
                  <a href={`/api/v1/t/${tenant}/agent/reports/${r.month}`} download>
                    Télécharger le PDF<span className="visually-hidden"> ({r.label})</span>
                  </a>{' '}
                  <span className="muted">({Math.max(1, Math.round(r.size / 1024))} Ko)</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Aucun rapport n’a encore été produit.</p>
      )}
      <QualityReportRequest tenant={tenant} latestMonth={lastClosedMonth(timeZone)} />
    </section>
  );
}
