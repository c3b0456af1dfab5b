import type { FieldError } from '@/domain/validation';

/** Why a submission was refused, in French, for the form's error summary. */
export class SpamRefusal extends Error {
  constructor(
    readonly reason: 'honeypot' | 'too-fast' | 'token' | 'token-used' | 'rate-ip' | 'rate-contact' | 'rate-tenant',
    readonly retryAfterSeconds?: number,
  ) {
    super(reason);
  }

  /** Whether the refusal is a rate limit (HTTP 429 with Retry-After) rather than a failed check. */
  get isRateLimit(): boolean {
    return this.reason.startsWith('rate-');
  }

  /** What the citizen reads. */
  get fieldError(): FieldError {
    if (this.reason === 'rate-tenant')
      return { path: '', message: `La commune reçoit un très grand nombre de demandes en ce moment. Merci de réessayer dans ${Math.ceil((this.retryAfterSeconds ?? 60) / 60)} minute(s).` };
    if (this.reason === 'token-used')
      return { path: '', message: 'Ce formulaire a déjà été envoyé. Si vous souhaitez faire une autre demande, vérifiez le formulaire puis envoyez-le à nouveau.' };
    if (this.isRateLimit)
      return { path: '', message: `Vous avez envoyé beaucoup de demandes en peu de temps. Merci de réessayer dans ${Math.ceil((this.retryAfterSeconds ?? 60) / 60)} minute(s).` };
    return { path: '', message: "Votre envoi n'a pas pu être vérifié. Merci de relire le formulaire puis de l'envoyer à nouveau." };
  }
}
