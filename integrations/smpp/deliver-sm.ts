import type { DecodedMessage, PDU } from 'smpp';
import { relaisAddress } from './address.js';
import { decodeSmsText } from '@/domain/sms/encoding';
import { parseDeliveryReceipt, type DeliveryReceipt } from './receipt.js';

/** A delivery receipt with the addresses of the deliver_sm that carried it. */
export interface GatewayReceipt extends DeliveryReceipt {
  /** The handset the original message went to. */
  from: string;
  /** Our sender address. */
  to: string;
}

/** A mobile-originated SMS, reassembled when it came in several segments; addresses in E.164 or as short codes. */
export interface InboundSms {
  from: string;
  to: string;
  text: string;
  dataCoding: number;
  segmentCount: number;
  /** False when some segments never arrived before the reassembly deadline. */
  complete: boolean;
}

/** One deliver_sm that is not a receipt, with its concatenation header when it is a segment. */
export interface InboundPart {
  from: string;
  to: string;
  text: string;
  dataCoding: number;
  concat?: { reference: number; total: number; sequence: number };
}

// esm_class bits 2–5: 0x04 SMSC delivery receipt, 0x08 SME acknowledgement, 0x20 intermediate notification.
const RECEIPT_TYPES = new Set([0x04, 0x08, 0x10, 0x20]);
const IEI_CONCAT_8BIT = 0x00;
const IEI_CONCAT_16BIT = 0x08;

/** True when a deliver_sm carries a delivery receipt rather than an SMS from a handset. */
export function isDeliveryReceipt(pdu: PDU): boolean {
  return RECEIPT_TYPES.has((pdu.esm_class ?? 0) & 0x3c) || Boolean(pdu.receipted_message_id);
}

/** Reads the receipt of a deliver_sm, from its TLVs and its text. */
export function receiptFromPdu(pdu: PDU): GatewayReceipt {
  const receipt = parseDeliveryReceipt({
    receiptedMessageId: pdu.receipted_message_id,
    messageState: pdu.message_state,
    text: pduText(pdu).text,
    networkErrorCode: pdu.network_error_code,
  });
  return Object.assign(receipt, { from: pdu.source_addr ?? '', to: pdu.destination_addr ?? '' });
}

/** Reads the text and concatenation header (UDH or SAR TLVs) of an MO deliver_sm. */
export function inboundPartFromPdu(pdu: PDU): InboundPart {
  const { text, udh } = pduText(pdu);
  const part: InboundPart = {
    from: relaisAddress(pdu.source_addr ?? '', pdu.source_addr_ton),
    to: relaisAddress(pdu.destination_addr ?? '', pdu.dest_addr_ton),
    text,
    dataCoding: pdu.data_coding ?? 0,
  };
  const concat = concatFromUdh(udh) ?? concatFromSar(pdu);
  return concat ? { ...part, concat } : part;
}

// The library already split the UDH and decoded GSM, latin1 and UCS-2; other codings arrive as bytes.
function pduText(pdu: PDU): { text: string; udh: Buffer[] } {
  const decoded = [pdu.short_message, pdu.message_payload].map((value) => asDecoded(value, pdu.data_coding ?? 0));
  const withText = decoded.find((value) => value.text.length > 0) ?? decoded[0];
  return withText;
}

function asDecoded(value: PDU['short_message'], dataCoding: number): { text: string; udh: Buffer[] } {
  if (value === undefined || value === null) return { text: '', udh: [] };
  if (typeof value === 'string') return { text: value, udh: [] };
  if (Buffer.isBuffer(value)) return { text: decodeSmsText(value, dataCoding), udh: [] };
  const { message, udh } = value as DecodedMessage;
  const text = typeof message === 'string' ? message : decodeSmsText(message, dataCoding);
  return { text, udh: udh ?? [] };
}

function concatFromUdh(udh: Buffer[]): InboundPart['concat'] {
  for (const element of udh) {
    if (element[0] === IEI_CONCAT_8BIT && element.length >= 5) {
      return { reference: element[2], total: element[3], sequence: element[4] };
    }
    if (element[0] === IEI_CONCAT_16BIT && element.length >= 6) {
      return { reference: element.readUInt16BE(2), total: element[4], sequence: element[5] };
    }
  }
  return undefined;
}

function concatFromSar(pdu: PDU): InboundPart['concat'] {
  if (pdu.sar_msg_ref_num === undefined || !pdu.sar_total_segments || !pdu.sar_segment_seqnum) return undefined;
  return { reference: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, sequence: pdu.sar_segment_seqnum };
}

/** Options of the reassembler. */
export interface AssemblerOptions {
  /** How long to wait for missing segments before handing over what arrived (default 10 min). */
  timeoutMs?: number;
  /** Bound on messages waiting for segments, so a flood of orphan parts cannot grow memory. */
  maxPending?: number;
  now?: () => number;
}

interface PendingMessage {
  firstSeenAt: number;
  parts: Map<number, InboundPart>;
  total: number;
}

/** Joins concatenated MO segments; incomplete messages are handed over on timeout, never dropped. */
export class InboundAssembler {
  private readonly pending = new Map<string, PendingMessage>();
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly now: () => number;

  constructor(options: AssemblerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10 * 60_000;
    this.maxPending = options.maxPending ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Adds a part; returns the messages it completes plus any that timed out meanwhile. */
  add(part: InboundPart): InboundSms[] {
    const ready = this.expire();
    if (!part.concat || part.concat.total <= 1) {
      ready.push({ ...messageOf([part]), segmentCount: 1 });
      return ready;
    }
    const key = [part.from, part.to, part.concat.reference, part.concat.total].join('|');
    const message = this.pending.get(key) ?? { firstSeenAt: this.now(), parts: new Map(), total: part.concat.total };
    message.parts.set(part.concat.sequence, part);
    this.pending.set(key, message);
    if (message.parts.size === message.total) {
      this.pending.delete(key);
      ready.push(assemble(message, true));
    } else if (this.pending.size > this.maxPending) {
      ready.push(...this.evictOldest());
    }
    return ready;
  }

  /** Hands over every incomplete message, e.g. when the gateway stops. */
  flush(): InboundSms[] {
    const messages = [...this.pending.values()].map((message) => assemble(message, false));
    this.pending.clear();
    return messages;
  }

  private expire(): InboundSms[] {
    const deadline = this.now() - this.timeoutMs;
    const expired: InboundSms[] = [];
    for (const [key, message] of this.pending) {
      if (message.firstSeenAt > deadline) break;
      this.pending.delete(key);
      expired.push(assemble(message, false));
    }
    return expired;
  }

  private evictOldest(): InboundSms[] {
    const [key, message] = this.pending.entries().next().value as [string, PendingMessage];
    this.pending.delete(key);
    return [assemble(message, false)];
  }
}

function assemble(message: PendingMessage, complete: boolean): InboundSms {
  const parts = [...message.parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
  return { ...messageOf(parts), segmentCount: message.total, complete };
}

function messageOf(parts: InboundPart[]): Omit<InboundSms, 'segmentCount'> {
  const [first] = parts;
  return { from: first.from, to: first.to, text: parts.map((part) => part.text).join(''), dataCoding: first.dataCoding, complete: true };
}
