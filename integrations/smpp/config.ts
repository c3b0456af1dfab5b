/** Where and as whom the gateway binds, parsed from `smpp://system_id:password@host:port`. */
export interface SmppEndpoint {
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
  /** Optional `?system_type=` some operators require. */
  systemType: string;
  /** `?rate=`: submit_sm per second the operator sells for this account. */
  ratePerSecond?: number;
  /** `?window=`: outstanding submit_sm without a response. */
  windowSize?: number;
}

const DEFAULT_PORTS = { 'smpp:': 2775, 'ssmpp:': 3550 } as const;
// SMPP 3.4 C-Octet strings: system_id 16 and password 9 octets including the terminating NUL.
const MAX_SYSTEM_ID = 15;
const MAX_PASSWORD = 8;

/** Parses an SMPP URL; `ssmpp://` means TLS. Errors never repeat the password. */
export function parseSmppUrl(url: string): SmppEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new Error('SMPP URL is not a valid URL (expected smpp://system_id:password@host:port)', { cause });
  }
  const protocol = parsed.protocol as keyof typeof DEFAULT_PORTS;
  if (!(protocol in DEFAULT_PORTS)) {
    throw new Error(`SMPP URL scheme must be smpp: or ssmpp:, got ${parsed.protocol}`);
  }
  const systemId = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  if (!parsed.hostname) throw new Error('SMPP URL has no host');
  if (!systemId) throw new Error('SMPP URL has no system_id (smpp://system_id:password@host:port)');
  if (systemId.length > MAX_SYSTEM_ID) throw new Error(`SMPP system_id is longer than ${MAX_SYSTEM_ID} characters`);
  if (password.length > MAX_PASSWORD) throw new Error(`SMPP password is longer than ${MAX_PASSWORD} characters`);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : DEFAULT_PORTS[protocol],
    tls: protocol === 'ssmpp:',
    systemId,
    password,
    systemType: parsed.searchParams.get('system_type') ?? '',
    ratePerSecond: positiveParam(parsed, 'rate', false),
    windowSize: positiveParam(parsed, 'window', true),
  };
}

/** The endpoint as text safe for logs. */
export function describeEndpoint(endpoint: SmppEndpoint): string {
  return `${endpoint.tls ? 'ssmpp' : 'smpp'}://${endpoint.systemId}@${endpoint.host}:${endpoint.port}`;
}

function positiveParam(url: URL, name: string, integer: boolean): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`SMPP URL parameter ${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  return value;
}
