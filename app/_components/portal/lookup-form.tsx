import { ErrorSummary } from './error-summary';

/** The reference + code form; a GET so it works without JavaScript and can be bookmarked. */
export function LookupForm({ action, reference = '', error }: { action: string; reference?: string; error?: string }) {
  return (
    <form className="portal-form" action={action} method="get" noValidate>
      <ErrorSummary errors={error ? [{ message: error, href: '#champ-reference' }] : []} />
      <div className={`field${error ? ' field-invalid' : ''}`}>
        <label htmlFor="champ-reference">Référence de la demande</label>
        <p className="hint" id="champ-reference-aide">
          Format attendu : 2026-000123
        </p>
        <input
          id="champ-reference"
          name="reference"
          type="text"
          defaultValue={reference}
          required
          maxLength={40}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby="champ-reference-aide"
        />
      </div>
      <div className={`field${error ? ' field-invalid' : ''}`}>
        <label htmlFor="champ-code">Code de suivi</label>
        <p className="hint" id="champ-code-aide">
          Il figure dans l’accusé de réception, par exemple 7KQ2-M9XD-4TZP-8HVA-2CNE.
        </p>
        <input id="champ-code" name="code" type="text" required maxLength={40} autoComplete="off" spellCheck={false} aria-invalid={error ? true : undefined} aria-describedby="champ-code-aide" />
      </div>
      <button type="submit" className="button">
        Afficher ma demande
      </button>
    </form>
  );
}
