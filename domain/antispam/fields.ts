/** Name of the honeypot field: hidden from people (and from assistive technologies), filled by naive robots. */
export const HONEYPOT_FIELD = 'site_web';

/** Name of the hidden field carrying the signed display time of a form. */
export const FORM_TOKEN_FIELD = 'jeton';
