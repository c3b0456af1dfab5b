// Types for the parts of `smpp` 0.5.1 (farhadi/node-smpp) that Relais uses; the package ships none.
declare module 'smpp' {
  import { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';
  import type { ConnectionOptions } from 'node:tls';

  /** A decoded `short_message` or `message_payload`: the library splits the UDH and decodes the text. */
  export interface DecodedMessage {
    udh?: Buffer[];
    message: string | Buffer;
  }

  /** Fields a PDU may carry: mandatory parameters and TLVs, by their SMPP names. */
  export interface PduFields {
    command_status?: number;
    sequence_number?: number;
    system_id?: string;
    password?: string;
    system_type?: string;
    interface_version?: number;
    addr_ton?: number;
    addr_npi?: number;
    address_range?: string;
    service_type?: string;
    source_addr_ton?: number;
    source_addr_npi?: number;
    source_addr?: string;
    dest_addr_ton?: number;
    dest_addr_npi?: number;
    destination_addr?: string;
    esm_class?: number;
    protocol_id?: number;
    priority_flag?: number;
    registered_delivery?: number;
    data_coding?: number | null;
    short_message?: Buffer | string | DecodedMessage;
    message_payload?: Buffer | string | DecodedMessage;
    message_id?: string;
    receipted_message_id?: string;
    message_state?: number;
    network_error_code?: Buffer;
    sar_msg_ref_num?: number;
    sar_total_segments?: number;
    sar_segment_seqnum?: number;
  }

  /** One protocol data unit, encoded or decoded. */
  export class PDU implements PduFields {
    /** Builds a PDU to send, or parses one from its wire bytes. */
    constructor(command: string | Buffer, options?: PduFields);
    command: string;
    command_id: number;
    command_length: number;
    command_status: number;
    sequence_number: number;
    system_id?: string;
    password?: string;
    source_addr_ton?: number;
    source_addr?: string;
    dest_addr_ton?: number;
    destination_addr?: string;
    esm_class?: number;
    registered_delivery?: number;
    data_coding?: number | null;
    short_message?: Buffer | string | DecodedMessage;
    message_payload?: Buffer | string | DecodedMessage;
    message_id?: string;
    receipted_message_id?: string;
    message_state?: number;
    network_error_code?: Buffer;
    sar_msg_ref_num?: number;
    sar_total_segments?: number;
    sar_segment_seqnum?: number;
    isResponse(): boolean;
    response(options?: PduFields): PDU;
    toBuffer(): Buffer;
    static maxLength: number;
  }

  type ResponseCallback = (pdu: PDU) => void;
  type Shortcut = (options?: PduFields, onResponse?: ResponseCallback, onSent?: ResponseCallback) => boolean;

  /** One SMPP connection, client or server side; emits 'pdu', each command name, 'close' and 'error'. */
  export class Session extends EventEmitter {
    constructor(options: { socket: Socket } | Record<string, unknown>);
    socket: Socket;
    sequence: number;
    server?: Server;
    send(pdu: PDU, onResponse?: ResponseCallback, onSent?: ResponseCallback): boolean;
    pause(): void;
    resume(): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    bind_transceiver: Shortcut;
    bind_transmitter: Shortcut;
    bind_receiver: Shortcut;
    submit_sm: Shortcut;
    deliver_sm: Shortcut;
    enquire_link: Shortcut;
    unbind: Shortcut;
    generic_nack: Shortcut;
  }

  /** An SMPP server: a `net.Server` that wraps each socket in a Session. */
  export class Server extends NetServer {
    sessions: Session[];
  }

  /** Options of `connect`: a URL or host and port, plus any `net` / `tls` connection option. */
  export interface ConnectOptions extends Partial<ConnectionOptions> {
    url?: string;
    host?: string;
    port?: number;
    tls?: boolean;
    auto_enquire_link_period?: number;
  }

  /** Opens a client session; `ssmpp://` URLs or `tls: true` use TLS. */
  export function connect(options: string | ConnectOptions, listener?: () => void): Session;

  /** Creates a server; a `key` and `cert` make it a TLS server. */
  export function createServer(
    options?: Record<string, unknown> | ((session: Session) => void),
    listener?: (session: Session) => void,
  ): Server;

  /** Command status codes by name, e.g. `errors.ESME_RTHROTTLED`. */
  export const errors: Record<string, number>;
  /** Protocol constants (ESM_CLASS, MESSAGE_STATE, ENCODING, ...). */
  export const consts: Record<string, Record<string, number>>;

  const smpp: {
    connect: typeof connect;
    createServer: typeof createServer;
    PDU: typeof PDU;
    Session: typeof Session;
    errors: typeof errors;
    consts: typeof consts;
  };
  export default smpp;
}
