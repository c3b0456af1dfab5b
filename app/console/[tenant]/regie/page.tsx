import type { Metadata } from 'next';
import { formatEuros, formatFrenchDateTime, frenchDate } from '@/domain/format/french';
import { listProducts } from '@/domain/payments/products';
import { PAYMENT_STATE_LABELS, parseTreasuryFilters, tenantToday, treasuryFilterQuery, treasuryReport, type TreasuryFilters, type TreasuryReport } from '@/domain/payments/treasury';
import { InputError } from '@/domain/validation';
import { ConsoleShell, Forbidden } from '@/app/_components/console/ConsoleShell';
import { consolePage } from '@/app/console/_server/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Régie : paiements en ligne' };

/** The régie's screen: online payments per day, filtered by period, product and state, with totals and the reconciliation CSV. */
export default async function TreasuryPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const { tenant } = await params;
  const { principal, em, allowed } = await consolePage(tenant, 'treasury', `/console/${tenant}/regie`);
  if (!allowed) {
    return (
      <ConsoleShell principal={principal} current="treasury">
        <Forbidden />
      </ConsoleShell>
    );
  }
  const today = await tenantToday(em, principal.tenantId);
  let filters: TreasuryFilters = parseTreasuryFilters({}, today);
  let error: string | undefined;
  const raw = await searchParams;
  try {
    filters = parseTreasuryFilters(raw, today);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    error = e.errors.map((x) => x.message).join(' ');
  }
  const [report, products]: [TreasuryReport | undefined, Awaited<ReturnType<typeof listProducts>>] = await Promise.all([
    error ? Promise.resolve(undefined) : treasuryReport(em, principal.tenantId, filters),
    listProducts(em, principal.tenantId),
  ]);
  return (
    <ConsoleShell principal={principal} current="treasury">
      <h1>Régie : paiements en ligne</h1>
      <p className="muted">
        Paiements par carte reçus par PayFiP, par jour de paiement (jour de création pour ceux qui n’ont pas abouti). Le fichier de rapprochement reprend, pour
        chaque paiement encaissé, l’identifiant PayFiP (idOp), la référence de la dette (refdet), le montant, la date et l’heure, le numéro d’autorisation
        (numauto), le produit et la demande. PayFiP ne permet pas de rembourser : les remboursements se font par la régie, hors de Relais, et
        s’enregistrent sur la demande.
      </p>
      {error ? (
        <p role="alert" className="alert error">
          {error}
        </p>
      ) : null}
      <form method="get" className="filters" aria-label="Filtres des paiements">
        <div>
          <label htmlFor="regie-du">Du</label>
          <input id="regie-du" type="date" name="du" defaultValue={error ? raw.du : filters.from} />
        </div>
        <div>
          <label htmlFor="regie-au">Au</label>
          <input id="regie-au" type="date" name="au" defaultValue={error ? raw.au : filters.to} />
        </div>
        <div>
          <label htmlFor="regie-produit">Produit</label>
          <select id="regie-produit" name="produit" defaultValue={filters.product ?? ''}>
            <option value="">Tous</option>
            {products.map((p) => (
              <option key={p.slug} value={p.slug}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="regie-etat">État</label>
          <select id="regie-etat" name="etat" defaultValue={filters.state ?? ''}>
            <option value="">Tous</option>
            {Object.entries(PAYMENT_STATE_LABELS).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filtrer</button>
        {report ? (
          <a className="button secondary" href={`/api/v1/t/${tenant}/agent/treasury?${treasuryFilterQuery(filters, { format: 'csv' })}`} download>
            Exporter le rapprochement (CSV)
          </a>
        ) : null}
      </form>
      {report ? (
        <>
          <dl className="receipt" aria-label="Totaux de la période">
            <div>
              <dt>Paiements</dt>
              <dd data-testid="total-count">{report.totals.count}</dd>
            </div>
            <div>
              <dt>Paiements encaissés</dt>
              <dd data-testid="total-paid-count">{report.totals.paidCount}</dd>
            </div>
            <div>
              <dt>Montant encaissé</dt>
              <dd data-testid="total-paid-amount">{formatEuros(report.totals.paidAmount)}</dd>
            </div>
          </dl>
          {report.truncated ? <p className="alert">Trop de paiements sur cette période : seuls les plus récents sont affichés. Réduisez la période.</p> : null}
          {report.days.length === 0 ? <p>Aucun paiement ne correspond à ces filtres.</p> : null}
          {report.days.map((day) => (
            <table key={day.day}>
              <caption>
                {frenchDate(day.day)} : {day.count} paiement{day.count > 1 ? 's' : ''}, {day.paidCount} encaissé{day.paidCount > 1 ? 's' : ''} pour {formatEuros(day.paidAmount)}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Heure</th>
                  <th scope="col">Demande</th>
                  <th scope="col">Produit</th>
                  <th scope="col" className="num">
                    Montant
                  </th>
                  <th scope="col">État</th>
                  <th scope="col">idOp</th>
                  <th scope="col">refdet</th>
                  <th scope="col">numauto</th>
                </tr>
              </thead>
              <tbody>
                {day.payments.map((p) => (
                  <tr key={p.id}>
                    <td>{formatFrenchDateTime(new Date(p.at), report.timeZone).split(' à ')[1]}</td>
                    <td>{p.requestReference ? <a href={`/console/${tenant}/demandes/${p.requestReference}`}>{p.requestReference}</a> : '—'}</td>
                    <td>
                      {p.product ?? '—'}
                      {p.quantity > 1 ? ` × ${p.quantity}` : ''}
                    </td>
                    <td className="num">{formatEuros(p.amount)}</td>
                    <td>{PAYMENT_STATE_LABELS[p.state]}</td>
                    <td>
                      <code>{p.providerId ?? '—'}</code>
                    </td>
                    <td>
                      <code>{p.reference}</code>
                    </td>
                    <td>{p.authorisation ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </>
      ) : null}
    </ConsoleShell>
  );
}
