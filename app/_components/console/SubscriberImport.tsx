'use client';

import { useRouter } from 'next/navigation';
import { ConsoleForm } from './ConsoleForm';
import { useId, useState, type FormEvent } from 'react';

interface ImportReport {
  lines: number;
  imported: number;
  alreadyActive: number;
  errors: Array<{ line: number; field: string; message: string }>;
  moreErrors: number;
  committed: boolean;
}

/**
 * Imports subscribers from a CSV file into a list and shows the validation report (line, column, message). A file with
 * errors imports nothing unless "importer les lignes valides" is ticked.
 */
export function SubscriberImport({ tenant, lists }: { tenant: string; lists: Array<{ slug: string; label: string }> }) {
  const router = useRouter();
  const id = useId();
  const [report, setReport] = useState<ImportReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get('fichier');
    if (!(file instanceof File) || file.size === 0) {
      setProblem('Choisissez un fichier CSV.');
      return;
    }
    const search = new URLSearchParams({ liste: String(form.get('liste') ?? ''), fichier: file.name });
    if (form.get('lignesValides') === 'on') search.set('lignesValides', '1');
    setBusy(true);
    try {
      const response = await fetch(`/api/v1/t/${tenant}/agent/admin/subscriber-import?${search}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: file,
        credentials: 'same-origin',
      });
      const data = (await response.json()) as { report?: ImportReport; errors?: Array<{ message: string }>; error?: string } & Partial<ImportReport>;
      if (response.ok) {
        setReport(data as ImportReport);
        setProblem(null);
        router.refresh();
      } else if (data.report) {
        setReport(data.report);
        setProblem('Le fichier contient des erreurs : rien n’a été importé. Corrigez-le, ou cochez « importer les lignes valides ».');
      } else {
        setReport(null);
        setProblem(data.error ?? data.errors?.map((e) => e.message).join(' ') ?? `Erreur ${response.status}`);
      }
    } catch {
      setProblem('Le serveur ne répond pas : vérifiez votre connexion puis réessayez.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <ConsoleForm onSubmit={submit} className="card stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Importer des abonnés (CSV)</h3>
      <p className="muted">
        Colonnes : email et/ou telephone, date_consentement (2024-03-15 ou 15/03/2024), source (formulaire papier, site web…). Séparateur « ; » ou « , », encodage UTF-8.
      </p>
      <label htmlFor={`${id}-liste`}>Liste</label>
      <select id={`${id}-liste`} name="liste" required>
        {lists.map((list) => (
          <option key={list.slug} value={list.slug}>
            {list.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-fichier`}>Fichier</label>
      <input id={`${id}-fichier`} name="fichier" type="file" accept=".csv,text/csv" required />
      <label className="inline">
        <input type="checkbox" name="lignesValides" /> Importer les lignes valides même si d’autres lignes contiennent des erreurs
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Import en cours…' : 'Importer'}
      </button>
      {problem ? (
        <p className="alert error" role="alert">
          {problem}
        </p>
      ) : null}
      {report ? (
        <div role="status">
          <p>
            {report.lines} ligne(s) lue(s) ; {report.imported} abonnement(s) importé(s) ; {report.alreadyActive} déjà actif(s).
          </p>
          {report.errors.length ? (
            <table>
              <caption>Rapport de validation</caption>
              <thead>
                <tr>
                  <th scope="col">Ligne</th>
                  <th scope="col">Colonne</th>
                  <th scope="col">Erreur</th>
                </tr>
              </thead>
              <tbody>
                {report.errors.map((error, index) => (
                  <tr key={index}>
                    <td>{error.line}</td>
                    <td>{error.field || '—'}</td>
                    <td>{error.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {report.moreErrors ? <p>… et {report.moreErrors} autre(s) erreur(s).</p> : null}
        </div>
      ) : null}
    </ConsoleForm>
  );
}
