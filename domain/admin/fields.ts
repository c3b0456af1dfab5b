// Schema fragments shared by the administration forms.

/** A slug field: lower case, digits and hyphens. */
export const slug = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', errorMessage: 'Identifiant : minuscules, chiffres et tirets (63 caractères au plus).' };

/** A required text field of at most `max` characters, with its French error message. */
export const label = (max: number, message: string) => ({ type: 'string', default: '', minLength: 1, maxLength: max, pattern: '\\S', errorMessage: message });
