import { FORM_TOKEN_FIELD, HONEYPOT_FIELD } from '@/domain/antispam/fields';

/** The anti-spam fields of a portal form: the signed display time, and a honeypot hidden from people and assistive technologies. */
export function SpamGuardFields({ token }: { token?: string }) {
  return (
    <>
      {token ? <input type="hidden" name={FORM_TOKEN_FIELD} value={token} /> : null}
      <div className="honeypot" aria-hidden="true">
        <label htmlFor={HONEYPOT_FIELD}>Ne pas remplir ce champ</label>
        <input type="text" id={HONEYPOT_FIELD} name={HONEYPOT_FIELD} tabIndex={-1} autoComplete="off" defaultValue="" />
      </div>
    </>
  );
}
