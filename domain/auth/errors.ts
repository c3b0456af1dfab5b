/** No valid session (HTTP 401). */
export class UnauthenticatedError extends Error {
  constructor(message = 'Veuillez vous connecter.') {
    super(message);
  }
}

/** Authenticated, but the role does not allow this (HTTP 403). */
export class ForbiddenError extends Error {
  constructor(message = "Vous n'avez pas les droits nécessaires pour cette action.") {
    super(message);
  }
}

/** A state-changing request from another site (HTTP 403). */
export class CrossOriginError extends Error {
  constructor() {
    super('Requête refusée : elle ne provient pas de la console.');
  }
}

/** Too many failed logins for this account (HTTP 429). */
export class LockedOutError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Trop de tentatives échouées : réessayez dans ${Math.ceil(retryAfterSeconds / 60)} minute(s) ou réinitialisez votre mot de passe.`);
  }
}
