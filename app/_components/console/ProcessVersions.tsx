import type { ProcessListItem } from '@/domain/admin/processes';
import { formatShortDateTime } from '@/domain/format/french';

/** Who a process version comes from, in French. */
export function scopeLabel(scope: ProcessListItem['current']['scope']): string {
  return scope === 'commune' ? 'de la commune' : 'fournie avec Relais';
}

/** The versions of one process, the current one marked, each exportable as JSON (list and detail pages). */
export function ProcessVersions(props: {
  tenant: string;
  process: Pick<ProcessListItem, 'slug' | 'title' | 'current' | 'versions'>;
  /** The detail page has its own heading: the caption is then for screen readers only. */
  captionHidden?: boolean;
  /** Link text: « Exporter en JSON » on the detail page, « JSON » in the list. */
  exportText: 'long' | 'short';
}) {
  const { tenant, process: p } = props;
  return (
    <table>
      <caption className={props.captionHidden ? 'visually-hidden' : undefined}>Versions de « {p.title} »</caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Origine</th>
          <th scope="col">Date</th>
          <th scope="col">Auteur</th>
          <th scope="col">Empreinte (SHA-256)</th>
          <th scope="col">Export</th>
        </tr>
      </thead>
      <tbody>
        {p.versions.map((v) => (
          <tr key={`${v.scope}-${v.version}`} data-version={v.version}>
            <td>
              {v.version}
              {v.version === p.current.version && v.scope === p.current.scope ? ' (en vigueur)' : ''}
            </td>
            <td>{scopeLabel(v.scope)}</td>
            <td>{formatShortDateTime(v.createdAt)}</td>
            <td>{v.author ?? (v.scope === 'produit' ? 'Relais' : 'Ligne de commande')}</td>
            <td>
              <code title={v.sha256}>{v.sha256.slice(0, 12)}</code>
            </td>
            <td>
              <a href={`/api/v1/t/${tenant}/agent/admin/processes/${p.slug}/export?version=${v.version}`} download>
                {props.exportText === 'long' ? (
                  <>
                    Exporter en JSON<span className="visually-hidden"> la version {v.version}</span>
                  </>
                ) : (
                  <>
                    JSON<span className="visually-hidden"> de la version {v.version}</span>
                  </>
                )}
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
