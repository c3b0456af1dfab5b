import { z } from 'zod';

const optionalUrl = z.string().url().optional();

const variables = z.object({
  DATABASE_URL: optionalUrl,
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('relais-requests'),
  TEMPORAL_UI_URL: optionalUrl,
  SMTP_URL: optionalUrl,
  SMTP_FROM: z.string().default('Relais <ne-pas-repondre@relais.localhost>'),
  // The development SMTP sink's API, set only by npm start and the tests when they run their own sink (enables /dev/courriels).
  MAIL_SINK_URL: optionalUrl,
  // Inbound e-mail: the domain of Relais's own addresses (<tenant>@, <topic>.<tenant>@, reply tokens, bounce addresses)
  // and the port of its SMTP listener; the listener runs in the worker when the port is set (npm start sets 2525).
  INBOUND_MAIL_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/i, 'must be a domain name').default('relais.localhost'),
  RELAIS_INBOUND_SMTP_PORT: z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number().int().min(1).max(65535).optional()),
  // Largest inbound message the listener takes (refused at DATA with 552 beyond it); 30 MB by default.
  INBOUND_MAIL_MAX_BYTES: z.coerce.number().int().min(1024).default(30 * 1024 * 1024),
  // STARTTLS on the inbound listener: PEM files of its certificate and key; without them it offers no STARTTLS.
  INBOUND_SMTP_TLS_CERT: z.string().optional(),
  INBOUND_SMTP_TLS_KEY: z.string().optional(),
  SMPP_URL: optionalUrl,
  // The development SMSC simulator's control API (MO injection, drops), set only by npm start and the tests (enables /dev/sms).
  SMSC_CONTROL_URL: optionalUrl,
  // PayFiP's SOAP service and payment page; unset, the DGFiP's public addresses. npm start and the tests point them at
  // the development simulator (dev/payfip-simulator) and set PAYFIP_SIMULATOR_URL, its control API.
  PAYFIP_SERVICE_URL: optionalUrl,
  PAYFIP_PAYMENT_URL: optionalUrl,
  PAYFIP_SIMULATOR_URL: optionalUrl,
  // Unset: the local web port, so `PORT=3950 npm start` prints and mails links that work.
  PUBLIC_URL: optionalUrl,
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  RELAIS_DATA_DIR: z.string().default('.data'),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  EXPORT_DIR: z.string().optional(),
  EXPORT_DATABASE_URL: optionalUrl,
  EXPORT_WEBHOOK_SECRET: z.string().min(16).optional(),
  // Signs the portal's form tokens and keys person fingerprints; the web server refuses to start without it (npm start
  // and the test stack set a random one). Empty counts as unset, as for RELAIS_ENCRYPTION_KEY.
  RELAIS_SECRET: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)').optional()),
  // Encrypts secrets stored in the database (OIDC client secrets): 32 random bytes in base64 (`openssl rand -base64 32`).
  // An empty value (docker compose passing an unset variable through) counts as unset.
  RELAIS_ENCRYPTION_KEY: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .refine((value) => Buffer.from(value, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(value), 'must be 32 random bytes in base64 (openssl rand -base64 32)')
      .optional(),
  ),
  // Proxies in front of the web server whose X-Forwarded-For entries are believed; 0 takes the socket's peer.
  RELAIS_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  // Prometheus metrics. Web processes serve /metrics to a scraper sending this bearer token (no token: no /metrics);
  // workers serve theirs, the Temporal SDK's included, on their own port (no port: none). Empty counts as unset.
  RELAIS_METRICS_TOKEN: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(16, 'must be at least 16 characters (openssl rand -hex 24)').optional()),
  RELAIS_METRICS_PORT: z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number().int().min(1).max(65535).optional()),
  // The worker's metrics listen here; 0.0.0.0 in a container, so that Prometheus reaches them.
  RELAIS_METRICS_HOST: z.string().default('127.0.0.1'),
  // npm run start:cluster: how many worker and web processes it runs (default 2 each; npm start runs one of each).
  RELAIS_WORKERS: z.coerce.number().int().min(1).max(16).default(2),
  RELAIS_WEB_PROCESSES: z.coerce.number().int().min(1).max(16).default(2),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

const schema = variables.transform((parsed) => ({ ...parsed, PUBLIC_URL: parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT}` }));

/** Every variable a Relais process reads (docker-compose.yml is checked against it). */
export const ENV_NAMES = Object.keys(variables.shape) as Array<keyof z.infer<typeof variables>>;

/** The typed environment of every Relais process. */
export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

/** Parses the environment once; a bad value fails at start with the variable's name. */
export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  cached = parsed.data;
  return cached;
}

/** Forgets the parsed environment (tests and the launcher set variables after import). */
export function resetEnv(): void {
  cached = undefined;
}
