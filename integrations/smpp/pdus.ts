// The two PDUs a gateway sends for every SMS, laid out by hand; every other PDU goes through the `smpp` library.
import type { PDU } from 'smpp';

/** An SMPP address: type of number, numbering plan and the digits or name. */
export interface SmppAddress {
  ton: number;
  npi: number;
  value: string;
}

/** What a submit_sm of one segment carries; the other fields keep their SMPP 3.4 defaults (empty or 0). */
export interface SubmitSm {
  source: SmppAddress;
  destination: SmppAddress;
  esmClass: number;
  registeredDelivery: number;
  dataCoding: number;
  /** One segment, already encoded (with its UDH when long). */
  shortMessage: Buffer;
}

const SUBMIT_SM = 0x00000004;
const DELIVER_SM_RESP = 0x80000005;
const HEADER_LENGTH = 16;
// SMPP 3.4 §4.4.1: source_addr and destination_addr are C-octet strings of at most 21 octets with their NUL.
const MAX_ADDRESS_LENGTH = 20;
const MAX_SHORT_MESSAGE_LENGTH = 254;
/** Octets of a submit_sm besides its two addresses and its short message. */
const FIXED_LENGTH = HEADER_LENGTH + 17;

/**
 * A submit_sm whose octets are laid out here rather than by the `smpp` library: the library's generic encoder walks
 * every field of every PDU twice by name (about 7 µs a PDU, against well under 1 µs here), and submit_sm is the PDU a
 * gateway sends thousands of times a second. The session still numbers, sends and matches it like any other PDU.
 */
export class SubmitSmPdu {
  readonly command = 'submit_sm';
  readonly command_id = SUBMIT_SM;
  readonly command_status = 0;
  /** Given by the session as it sends the PDU. */
  sequence_number = 0;

  constructor(private readonly fields: SubmitSm) {}

  isResponse(): boolean {
    return false;
  }

  /** The PDU's octets; throws a RangeError for a field SMPP cannot carry (the session's send throws it on). */
  toBuffer(): Buffer {
    const { fields } = this;
    checkAddress('source', fields.source.value);
    checkAddress('destination', fields.destination.value);
    if (fields.shortMessage.length > MAX_SHORT_MESSAGE_LENGTH) {
      throw new RangeError(`A short message holds at most ${MAX_SHORT_MESSAGE_LENGTH} octets, got ${fields.shortMessage.length}`);
    }
    const length = FIXED_LENGTH + fields.source.value.length + fields.destination.value.length + fields.shortMessage.length;
    const buffer = Buffer.allocUnsafe(length);
    buffer.writeUInt32BE(length, 0);
    buffer.writeUInt32BE(SUBMIT_SM, 4);
    buffer.writeUInt32BE(0, 8);
    buffer.writeUInt32BE(this.sequence_number, 12);
    let offset = HEADER_LENGTH;
    buffer[offset++] = 0; // service_type: the SMSC's default
    offset = writeAddress(buffer, offset, fields.source);
    offset = writeAddress(buffer, offset, fields.destination);
    buffer[offset++] = fields.esmClass;
    buffer[offset++] = 0; // protocol_id
    buffer[offset++] = 0; // priority_flag
    buffer[offset++] = 0; // schedule_delivery_time: now
    buffer[offset++] = 0; // validity_period: the SMSC's default
    buffer[offset++] = fields.registeredDelivery;
    buffer[offset++] = 0; // replace_if_present_flag
    buffer[offset++] = fields.dataCoding;
    buffer[offset++] = 0; // sm_default_msg_id
    buffer[offset++] = fields.shortMessage.length;
    fields.shortMessage.copy(buffer, offset);
    return buffer;
  }

  /** As the session's `send` takes it: only `isResponse`, `sequence_number` and `toBuffer` are used. */
  asPdu(): PDU {
    return this as unknown as PDU;
  }
}

/**
 * A deliver_sm_resp, laid out here for the same reason. Its message_id is unused (NULL), and an error response has no
 * body at all (SMPP 3.4 §4.6.2, and as the library sends it).
 */
export class DeliverSmRespPdu {
  readonly command = 'deliver_sm_resp';
  readonly command_id = DELIVER_SM_RESP;

  constructor(
    readonly sequence_number: number,
    readonly command_status: number,
  ) {}

  isResponse(): boolean {
    return true;
  }

  toBuffer(): Buffer {
    const length = this.command_status === 0 ? HEADER_LENGTH + 1 : HEADER_LENGTH;
    const buffer = Buffer.allocUnsafe(length);
    buffer.writeUInt32BE(length, 0);
    buffer.writeUInt32BE(DELIVER_SM_RESP, 4);
    buffer.writeUInt32BE(this.command_status, 8);
    buffer.writeUInt32BE(this.sequence_number, 12);
    if (length > HEADER_LENGTH) buffer[HEADER_LENGTH] = 0;
    return buffer;
  }

  asPdu(): PDU {
    return this as unknown as PDU;
  }
}

// Digits, or an alphanumeric sender id: anything else would not survive the SMSC's ASCII reading, and one character
// is then one octet.
function checkAddress(role: string, value: string): void {
  if (value.length > MAX_ADDRESS_LENGTH || !/^[\x20-\x7e]*$/.test(value)) {
    throw new RangeError(`Invalid SMPP ${role} address "${value}": at most ${MAX_ADDRESS_LENGTH} printable ASCII characters`);
  }
}

function writeAddress(buffer: Buffer, offset: number, address: SmppAddress): number {
  buffer[offset++] = address.ton;
  buffer[offset++] = address.npi;
  offset += buffer.write(address.value, offset, 'latin1');
  buffer[offset++] = 0;
  return offset;
}
