import smpp from 'smpp';

/** SMPP command_status values the gateway reacts to. */
export const CommandStatus = {
  OK: 0x00,
  INVALID_BIND_STATUS: 0x04,
  SYSTEM_ERROR: 0x08,
  BIND_FAILED: 0x0d,
  INVALID_PASSWORD: 0x0e,
  INVALID_SYSTEM_ID: 0x0f,
  MESSAGE_QUEUE_FULL: 0x14,
  SUBMIT_FAILED: 0x45,
  THROTTLED: 0x58,
  TEMPORARY_APP_ERROR: 0x64,
  UNKNOWN_ERROR: 0xff,
} as const;

// Statuses meaning "try again later"; every other refusal is about the message itself.
const RETRYABLE_STATUSES = new Set<number>([
  CommandStatus.INVALID_BIND_STATUS,
  CommandStatus.SYSTEM_ERROR,
  CommandStatus.MESSAGE_QUEUE_FULL,
  CommandStatus.SUBMIT_FAILED,
  CommandStatus.THROTTLED,
  CommandStatus.TEMPORARY_APP_ERROR,
  CommandStatus.UNKNOWN_ERROR,
]);

const STATUS_NAMES = new Map<number, string>(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

/** `ESME_RTHROTTLED (0x58)` style label of a command_status. */
export function describeStatus(status: number): string {
  const hex = `0x${status.toString(16).toUpperCase().padStart(2, '0')}`;
  return `${STATUS_NAMES.get(status) ?? 'unknown status'} (${hex})`;
}

/** True when an SMSC refusal with this status may succeed if the same message is sent again later. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** Options common to every SMPP error. */
export interface SmppErrorOptions {
  retryable: boolean;
  commandStatus?: number;
  cause?: unknown;
}

/** Any failure of the SMPP gateway; `retryable` tells a Temporal activity whether to let it retry. */
export class SmppError extends Error {
  override name = 'SmppError';
  readonly retryable: boolean;
  readonly commandStatus?: number;

  constructor(message: string, options: SmppErrorOptions) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.commandStatus = options.commandStatus;
  }
}

/** The connection is down, dropped or the gateway stopped: nothing was acknowledged, send again. */
export class SmppConnectionError extends SmppError {
  override name = 'SmppConnectionError';

  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, cause });
  }
}

/** No response in time: the SMSC may or may not have accepted the PDU. */
export class SmppTimeoutError extends SmppError {
  override name = 'SmppTimeoutError';

  constructor(command: string, timeoutMs: number) {
    super(`No ${command}_resp within ${timeoutMs} ms`, { retryable: true });
  }
}

/** The SMSC answered with a non-zero command_status. */
export class SmppStatusError extends SmppError {
  override name = 'SmppStatusError';

  constructor(command: string, status: number) {
    super(`SMSC refused ${command}: ${describeStatus(status)}`, { retryable: isRetryableStatus(status), commandStatus: status });
  }
}

/** The SMSC refused the bind (wrong system_id or password, too many binds...). */
export class SmppBindError extends SmppError {
  override name = 'SmppBindError';

  constructor(systemId: string, status: number) {
    super(`SMSC refused bind_transceiver for system_id "${systemId}": ${describeStatus(status)}`, {
      retryable: false,
      commandStatus: status,
    });
  }
}

/** A submit that did not complete; `acceptedSegments` lists ids already taken by the SMSC, never to resend. */
export class SmppSubmitError extends SmppError {
  override name = 'SmppSubmitError';
  /** SMSC message id per segment index, undefined for segments that were not accepted. */
  readonly acceptedSegments: ReadonlyArray<string | undefined>;
  /** UDH reference used, to pass back on retry so the handset joins old and new segments. */
  readonly reference?: number;
  /** True when a segment timed out: the SMSC may have taken it without us knowing its id. */
  readonly inDoubt: boolean;

  constructor(cause: SmppError, acceptedSegments: ReadonlyArray<string | undefined>, reference?: number) {
    const accepted = acceptedSegments.filter((id) => id !== undefined).length;
    super(`SMS submit incomplete (${accepted}/${acceptedSegments.length} segments accepted): ${cause.message}`, {
      retryable: cause.retryable,
      commandStatus: cause.commandStatus,
      cause,
    });
    this.acceptedSegments = acceptedSegments;
    this.reference = reference;
    this.inDoubt = cause instanceof SmppTimeoutError;
  }
}
