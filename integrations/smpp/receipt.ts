/** Final outcome of a message as far as Relais cares. */
export type DeliveryStatus = 'delivered' | 'failed' | 'expired' | 'unknown';

/** SMPP 3.4 message_state values (TLV 0x0427). */
export const MessageState = {
  SCHEDULED: 0,
  ENROUTE: 1,
  DELIVERED: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIVERABLE: 5,
  ACCEPTED: 6,
  UNKNOWN: 7,
  REJECTED: 8,
  SKIPPED: 9,
} as const;

/** What a deliver_sm carrying a receipt gives us, before interpretation. */
export interface ReceiptInput {
  /** TLV receipted_message_id. */
  receiptedMessageId?: string;
  /** TLV message_state. */
  messageState?: number;
  /** Decoded short_message or message_payload text. */
  text?: string;
  /** TLV network_error_code (3 bytes: network type, error code). */
  networkErrorCode?: Buffer;
}

/** A parsed delivery receipt; `raw` keeps everything the SMSC said. */
export interface DeliveryReceipt {
  /** SMSC message id the receipt is about, undefined when neither TLV nor text carries one. */
  messageId?: string;
  status: DeliveryStatus;
  /** Final state (true) or an intermediate one such as ENROUTE / ACCEPTD (false). */
  final: boolean;
  /** `stat:` of the text, e.g. DELIVRD, UNDELIV. */
  stat?: string;
  messageState?: number;
  /** `err:` of the text, SMSC specific. */
  errorCode?: string;
  /** `submit date:` and `done date:` as sent (YYMMDDhhmm[ss], SMSC local time). */
  submitDate?: string;
  doneDate?: string;
  /** Where the verdict came from; 'raw' means the format was not understood. */
  source: 'tlv' | 'text' | 'raw';
  raw: string;
  networkErrorCode?: string;
}

const STAT_STATUS: Record<string, DeliveryStatus> = {
  DELIVRD: 'delivered',
  DELIVERED: 'delivered',
  EXPIRED: 'expired',
  UNDELIV: 'failed',
  UNDELIVERABLE: 'failed',
  REJECTD: 'failed',
  REJECTED: 'failed',
  DELETED: 'failed',
};

const STATE_STATUS: Partial<Record<number, DeliveryStatus>> = {
  [MessageState.DELIVERED]: 'delivered',
  [MessageState.EXPIRED]: 'expired',
  [MessageState.DELETED]: 'failed',
  [MessageState.UNDELIVERABLE]: 'failed',
  [MessageState.REJECTED]: 'failed',
};

const STAT_FINAL = new Set(['DELIVRD', 'DELIVERED', 'EXPIRED', 'UNDELIV', 'UNDELIVERABLE', 'REJECTD', 'REJECTED', 'DELETED']);
const FINAL_STATES = new Set<number>(Object.keys(STATE_STATUS).map(Number));

// Keys of the SMPP 3.4 Appendix B format; `text:` runs to the end because it may contain anything.
const FIELD_PATTERN = /\b(id|sub|dlvrd|submit date|done date|stat|err|text)\s*:\s*/gi;

/** Interprets a delivery receipt: TLVs first (they are typed), then the Appendix B text, else raw. */
export function parseDeliveryReceipt(input: ReceiptInput): DeliveryReceipt {
  const raw = input.text ?? '';
  const fields = parseReceiptFields(raw);
  const stat = fields.stat?.toUpperCase();
  const messageId = nonEmpty(input.receiptedMessageId) ?? nonEmpty(fields.id);
  const verdict = receiptVerdict(input.messageState, stat);
  // One literal of a fixed shape: spreading a base object costs more than the rest of the parse.
  return {
    messageId,
    status: verdict.status,
    final: verdict.final,
    stat,
    messageState: input.messageState,
    errorCode: fields.err,
    submitDate: fields['submit date'],
    doneDate: fields['done date'],
    source: verdict.source,
    raw,
    networkErrorCode: input.networkErrorCode?.toString('hex'),
  };
}

function receiptVerdict(messageState: number | undefined, stat: string | undefined): Pick<DeliveryReceipt, 'status' | 'final' | 'source'> {
  if (messageState !== undefined) return { status: STATE_STATUS[messageState] ?? 'unknown', final: FINAL_STATES.has(messageState), source: 'tlv' };
  if (stat !== undefined) return { status: STAT_STATUS[stat] ?? 'unknown', final: STAT_FINAL.has(stat), source: 'text' };
  return { status: 'unknown', final: false, source: 'raw' };
}

/** Splits an Appendix B receipt text into lowercased `key → value`; unknown text yields `{}`. */
export function parseReceiptFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const pattern = new RegExp(FIELD_PATTERN);
  let key: string | undefined;
  let start = 0;
  // Each value runs to the next key; the first of a repeated key wins; `text:` ends the scan.
  for (let match = pattern.exec(text); match && key !== 'text'; match = pattern.exec(text)) {
    if (key !== undefined && !(key in fields)) fields[key] = text.slice(start, match.index).trim();
    key = match[1].toLowerCase();
    start = match.index + match[0].length;
  }
  if (key !== undefined && !(key in fields)) fields[key] = text.slice(start).trim();
  return fields;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
