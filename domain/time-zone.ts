/** Time zone used when a tenant does not specify one: mainland France. */
export const DEFAULT_TIME_ZONE = 'Europe/Paris';
