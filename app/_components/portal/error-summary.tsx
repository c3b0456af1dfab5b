/** The list of errors at the top of a form, each linking to its field; focused when shown. */
export function ErrorSummary({ errors, id = 'erreurs' }: { errors: Array<{ href?: string; message: string }>; id?: string }) {
  if (!errors.length) return null;
  return (
    <div className="error-summary" id={id} tabIndex={-1} role="alert" aria-labelledby={`${id}-titre`}>
      <h2 id={`${id}-titre`}>
        {errors.length === 1 ? 'Le formulaire contient une erreur' : `Le formulaire contient ${errors.length} erreurs`}
      </h2>
      <ul>
        {errors.map((e, i) => (
          <li key={i}>{e.href ? <a href={e.href}>{e.message}</a> : e.message}</li>
        ))}
      </ul>
    </div>
  );
}
