import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionOptions } from 'node:tls';
import { pino, type Logger } from 'pino';
import smpp, { type PDU, type Session } from 'smpp';
import { describeEndpoint, parseSmppUrl, type SmppEndpoint } from './config.js';
import { encodeSms, type EncodedSms } from '@/domain/sms/encoding';
import {
  CommandStatus,
  SmppBindError,
  SmppConnectionError,
  SmppError,
  SmppStatusError,
  SmppSubmitError,
  SmppTimeoutError,
} from './errors.js';
import { PacedRateLimiter, Window, coalesceWrites } from './flow-control.js';
import {
  InboundAssembler,
  inboundPartFromPdu,
  isDeliveryReceipt,
  receiptFromPdu,
  type GatewayReceipt,
  type InboundSms,
} from './deliver-sm.js';
import { smppAddress } from './address.js';
import { DeliverSmRespPdu, SubmitSmPdu, type SubmitSm } from './pdus.js';

/** Settings of an SmppGateway; only `url` is required. */
export interface SmppGatewayOptions {
  /** `smpp://system_id:password@host:port`, or `ssmpp://` for TLS; `?rate=80&window=50` set the two limits. */
  url: string;
  /** Outstanding submit_sm without a response (default: the URL's `window`, else 50). */
  windowSize?: number;
  /** Time allowed for any response, and for a submit to find a bound connection (default 10 s). */
  responseTimeoutMs?: number;
  /** Period of enquire_link (default 30 s). */
  enquireLinkIntervalMs?: number;
  /** submit_sm PDUs per second for this account (default: the URL's `rate`, else 80; Infinity disables the limit). */
  ratePerSecond?: number;
  /** PDUs that may leave back to back after an idle period (default 1: evenly spaced). */
  rateBurst?: number;
  /** Reconnect backoff: first delay, doubled up to the maximum (default 500 ms → 30 s). */
  reconnectInitialDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** First pause after ESME_RTHROTTLED, doubled on each new refusal (default 1 s, at most 8 retries). */
  throttleBackoffMs?: number;
  maxThrottleRetries?: number;
  /** `start()` gives up if no bind succeeded within this time (default 30 s). */
  startTimeoutMs?: number;
  /** Extra TLS options for `ssmpp://` (CA, servername...). */
  tls?: ConnectionOptions;
  logger?: Logger;
  /** Receives every delivery receipt; a rejected promise answers the SMSC with a temporary error. */
  onDeliveryReceipt?: (receipt: GatewayReceipt) => void | Promise<void>;
  /** Receives every SMS sent by a handset; a rejected promise answers with a temporary error. */
  onInboundMessage?: (message: InboundSms) => void | Promise<void>;
  /** Told about connection problems (refused bind, garbage from the peer, lost link). */
  onError?: (error: Error) => void;
}

/** One SMS to send. */
export interface SmsSubmitRequest {
  /** Sender: a number (`+33…`) or an alphanumeric name of at most 11 characters. */
  from: string;
  to: string;
  text: string;
  registeredDelivery?: boolean;
  /** UDH reference to reuse on retry (given by SmppSubmitError.reference). */
  reference?: number;
  /** `text` already encoded (with `reference` when long), as the SMS store's claim does: not encoded again. */
  encoded?: EncodedSms;
  /** Segment ids already accepted by an earlier attempt (SmppSubmitError.acceptedSegments): never resent. */
  acceptedSegments?: ReadonlyArray<string | undefined>;
  /** Called as soon as a segment is accepted, so the caller can record the id (e.g. in a heartbeat). */
  onSegmentAccepted?: (segmentIndex: number, messageId: string) => void;
  /**
   * Records the accepted submit before submit() resolves. Receipts naming its ids wait until it settles: a fast SMSC
   * can send a receipt right behind the submit_sm_resp, and it must not reach the store before the submit does.
   */
  record?: (result: SmsSubmitResult) => Promise<void>;
}

/** The SMSC's answer to a complete submit. */
export interface SmsSubmitResult {
  /** One SMSC message id per segment, in segment order. */
  messageIds: string[];
  segmentCount: number;
  dataCoding: number;
  reference?: number;
}

/** Connection state of the gateway. */
export type GatewayState = 'idle' | 'connecting' | 'bound' | 'stopped';

/** Counters for logs, health checks and tests. */
export interface GatewayStats {
  state: GatewayState;
  binds: number;
  disconnects: number;
  submitted: number;
  throttled: number;
  inFlight: number;
  queued: number;
  receipts: number;
  /** Receipts that arrived before their submit was recorded and waited for it. */
  receiptsHeld: number;
  inbound: number;
}

interface Pending {
  command: string;
  resolve: (pdu: PDU) => void;
  reject: (error: Error) => void;
  /** performance.now() after which the request times out. */
  deadline: number;
  /** Frees the window slot the request holds, as it settles. */
  release?: () => void;
}

/** A submit accepted but not yet recorded: receipts naming its id wait until then. */
interface ReceiptGate {
  /** performance.now() after which the gate opens even if recording has not finished. */
  deadline: number;
  waiting?: Array<() => void>;
}

interface Connection {
  session: Session;
  /** In send order, so the oldest is first; every request has the same timeout. */
  pending: Map<number, Pending>;
  timeoutSweep?: NodeJS.Timeout;
  enquireTimer?: NodeJS.Timeout;
  bound: boolean;
  /** An error was already reported for this connection; its consequences are not reported again. */
  failed: boolean;
}

const REGISTERED_DELIVERY_FINAL = 0x01;
const STOP_GRACE_MS = 2_000;

/** SMPP 3.4 transceiver client with a window, a rate limit, reconnection and throttling backoff. */
export class SmppGateway {
  private readonly endpoint: SmppEndpoint;
  private readonly window: Window;
  private readonly limiter: PacedRateLimiter;
  private readonly assembler = new InboundAssembler();
  private readonly log: Logger;
  private readonly settings: Required<
    Pick<
      SmppGatewayOptions,
      | 'responseTimeoutMs'
      | 'enquireLinkIntervalMs'
      | 'reconnectInitialDelayMs'
      | 'reconnectMaxDelayMs'
      | 'throttleBackoffMs'
      | 'maxThrottleRetries'
      | 'startTimeoutMs'
    >
  >;
  private state: GatewayState = 'idle';
  private connection?: Connection;
  private reconnectAttempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private throttledUntil = 0;
  private lastError?: Error;
  private boundWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  /** Ids accepted by the SMSC whose submit() has not finished recording them: their receipts wait. */
  private readonly receiptGates = new Map<string, ReceiptGate>();
  /** submit_sm PDUs on the slow path, waiting for a window slot or a send permit. */
  private waitingSends = 0;
  private readonly counters = { binds: 0, disconnects: 0, submitted: 0, throttled: 0, receipts: 0, receiptsHeld: 0, inbound: 0 };

  constructor(private readonly options: SmppGatewayOptions) {
    this.endpoint = parseSmppUrl(options.url);
    this.window = new Window(options.windowSize ?? this.endpoint.windowSize ?? 50);
    this.limiter = new PacedRateLimiter(options.ratePerSecond ?? this.endpoint.ratePerSecond ?? 80, options.rateBurst ?? 1);
    this.log = (options.logger ?? pino()).child({ component: 'smpp-gateway', smsc: describeEndpoint(this.endpoint) });
    this.settings = {
      responseTimeoutMs: options.responseTimeoutMs ?? 10_000,
      enquireLinkIntervalMs: options.enquireLinkIntervalMs ?? 30_000,
      reconnectInitialDelayMs: options.reconnectInitialDelayMs ?? 500,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? 30_000,
      throttleBackoffMs: options.throttleBackoffMs ?? 1_000,
      maxThrottleRetries: options.maxThrottleRetries ?? 8,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
    };
  }

  /** Connects and binds; rejects on a refused bind or when no bind succeeds within startTimeoutMs. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`SmppGateway.start() called in state ${this.state}`);
    this.state = 'connecting';
    const bound = this.waitForBind(this.settings.startTimeoutMs);
    this.connect();
    try {
      await bound;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Unbinds politely, fails whatever is still pending with a retryable error and stops reconnecting. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.reconnectTimer);
    this.rejectBoundWaiters(new SmppConnectionError('SMPP gateway stopped'));
    const connection = this.connection;
    if (connection) await this.closeConnection(connection);
    for (const message of this.assembler.flush()) await this.deliverInbound(message).catch(() => undefined);
  }

  /** Current connection state and counters. */
  stats(): GatewayStats {
    return { state: this.state, ...this.counters, inFlight: this.window.inFlight, queued: this.window.queued };
  }

  /**
   * Sends one SMS, split into segments when long. Resolves once every segment has its SMSC id;
   * otherwise rejects with SmppSubmitError listing the ids already accepted, to pass back on retry.
   */
  submit(request: SmsSubmitRequest): Promise<SmsSubmitResult> {
    let encoded: EncodedSms;
    try {
      encoded = request.encoded ?? encodeSms(request.text, { reference: request.reference });
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const accepted = [...(request.acceptedSegments ?? [])];
    if (accepted.length > encoded.segmentCount) {
      return Promise.reject(new RangeError(`${accepted.length} accepted segments given for a text of ${encoded.segmentCount}`));
    }
    if (encoded.segmentCount > 1 && accepted.some(Boolean) && request.reference === undefined) {
      return Promise.reject(new RangeError('Retrying a long SMS needs the reference of the first attempt'));
    }
    // Not async itself, so that the common one-segment case goes straight to its own promise.
    return encoded.segmentCount === 1 && !accepted[0] ? this.submitSingle(request, encoded) : this.submitSegments(request, encoded, accepted);
  }

  private async submitSegments(request: SmsSubmitRequest, encoded: EncodedSms, accepted: Array<string | undefined>): Promise<SmsSubmitResult> {
    const gated: string[] = [];
    try {
      const outcomes = await Promise.allSettled(
        encoded.segments.map(async (segment, index) => {
          if (accepted[index]) return;
          const messageId = await this.submitSegment(request, segment, encoded.dataCoding, encoded.esmClass);
          gated.push(messageId);
          accepted[index] = messageId;
          request.onSegmentAccepted?.(index, messageId);
        }),
      );
      const failure = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failure) {
        const cause = failure.reason instanceof SmppError ? failure.reason : unexpected(failure.reason);
        const ids = Array.from({ length: encoded.segmentCount }, (_, index) => accepted[index]);
        throw new SmppSubmitError(cause, ids, encoded.reference);
      }
      const result = { messageIds: accepted as string[], segmentCount: encoded.segmentCount, dataCoding: encoded.dataCoding, reference: encoded.reference };
      await request.record?.(result);
      return result;
    } finally {
      for (const id of gated) this.openReceiptGate(id);
    }
  }

  // The common case, without the fan-out over segments: a few promises fewer per SMS at thousands of SMS per second.
  private async submitSingle(request: SmsSubmitRequest, encoded: EncodedSms): Promise<SmsSubmitResult> {
    let messageId: string | undefined;
    try {
      try {
        messageId = await this.submitSegment(request, encoded.segments[0], encoded.dataCoding, encoded.esmClass);
        request.onSegmentAccepted?.(0, messageId);
      } catch (error) {
        throw new SmppSubmitError(error instanceof SmppError ? error : unexpected(error), [messageId], encoded.reference);
      }
      const result = { messageIds: [messageId], segmentCount: 1, dataCoding: encoded.dataCoding, reference: encoded.reference };
      await request.record?.(result);
      return result;
    } finally {
      if (messageId !== undefined) this.openReceiptGate(messageId);
    }
  }

  // Closed synchronously as the submit_sm_resp is read, before a deliver_sm that came in the same packet is handled.
  // A record that hangs (database down) holds its receipts no longer than a response timeout: the sweep opens the gate
  // and the store matches the receipt late.
  private closeReceiptGate(messageId: string): void {
    this.receiptGates.set(messageId, { deadline: performance.now() + this.settings.responseTimeoutMs });
  }

  private openReceiptGate(messageId: string): void {
    const gate = this.receiptGates.get(messageId);
    this.receiptGates.delete(messageId);
    gate?.waiting?.forEach((resolve) => resolve());
  }

  // Most receipts come after the gate opened: the promise is made only for one that has to wait.
  private passReceiptGate(messageId: string | undefined): Promise<void> | undefined {
    const gate = messageId === undefined ? undefined : this.receiptGates.get(messageId);
    if (!gate) return undefined;
    this.counters.receiptsHeld++;
    return new Promise<void>((resolve) => (gate.waiting ??= []).push(resolve));
  }

  private async submitSegment(request: SmsSubmitRequest, segment: Buffer, dataCoding: number, esmClass: number) {
    const submit: SubmitSm = {
      source: smppAddress(request.from),
      destination: smppAddress(request.to),
      esmClass,
      registeredDelivery: request.registeredDelivery ? REGISTERED_DELIVERY_FINAL : 0,
      dataCoding,
      shortMessage: segment,
    };
    for (let attempt = 0; ; attempt++) {
      // A new PDU per attempt: a PDU sent again must get a new sequence number.
      const response = await this.submitPdu(new SubmitSmPdu(submit).asPdu());
      if (response.command_status === CommandStatus.OK) {
        this.counters.submitted++;
        return response.message_id ?? '';
      }
      if (response.command_status !== CommandStatus.THROTTLED || attempt >= this.settings.maxThrottleRetries) {
        throw new SmppStatusError('submit_sm', response.command_status);
      }
      this.backOffAfterThrottle(attempt);
    }
  }

  // The whole account pauses: the SMSC counts PDUs per bind, so one throttled PDU means all are too fast.
  private backOffAfterThrottle(attempt: number): void {
    this.counters.throttled++;
    const delay = Math.min(this.settings.throttleBackoffMs * 2 ** attempt, this.settings.reconnectMaxDelayMs);
    this.throttledUntil = Math.max(this.throttledUntil, Date.now() + delay);
    this.log.warn({ attempt, delayMs: delay }, 'SMSC throttled submit_sm, backing off');
  }

  // With a free slot and a sendable connection the exchange's own promise is the only one: promises count at thousands
  // of PDUs per second. The slot is freed as the exchange settles.
  // The fast path never overtakes a PDU already waiting: the segments of a long SMS leave in order.
  private submitPdu(pdu: PDU): Promise<PDU> {
    const release = this.waitingSends === 0 ? this.window.tryAcquire() : undefined;
    if (release) {
      const connection = this.sendableNow();
      if (connection) return this.exchange(connection, pdu, release);
      release();
    }
    return this.submitPduWhenReady(pdu);
  }

  private async submitPduWhenReady(pdu: PDU): Promise<PDU> {
    this.waitingSends++;
    let release: (() => void) | undefined;
    try {
      release = await this.window.acquire();
      const connection = this.sendableNow() ?? (await this.acquireSendSlot());
      return this.exchange(connection, pdu, release);
    } catch (error) {
      release?.();
      throw error;
    } finally {
      this.waitingSends--;
    }
  }

  private sendableNow(): Connection | undefined {
    const connection = this.connection;
    if (this.state === 'stopped' || !connection?.bound || Date.now() < this.throttledUntil) return undefined;
    return this.limiter.tryTake() ? connection : undefined;
  }

  // Rate tokens are taken after the connection check, then re-checked: a drop while waiting must not send.
  private async acquireSendSlot(): Promise<Connection> {
    const deadline = Date.now() + this.settings.responseTimeoutMs;
    for (;;) {
      await this.waitUntilSendable(deadline);
      await this.limiter.take();
      const connection = this.connection;
      if (connection?.bound && Date.now() >= this.throttledUntil) return connection;
    }
  }

  private async waitUntilSendable(deadline: number): Promise<void> {
    for (;;) {
      if (this.state === 'stopped') throw new SmppConnectionError('SMPP gateway stopped');
      const pause = this.throttledUntil - Date.now();
      const remaining = deadline - Date.now();
      if (pause > 0) await sleep(pause);
      else if (this.connection?.bound) return;
      else if (remaining > 0) await this.waitForBind(remaining);
      else throw new SmppConnectionError(`No bound SMPP connection within ${this.settings.responseTimeoutMs} ms`, this.lastError);
    }
  }

  private waitForBind(timeoutMs: number): Promise<void> {
    if (this.connection?.bound) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => settle(resolve),
        reject: (error: Error) => settle(() => reject(error)),
      };
      const timer = setTimeout(
        () => waiter.reject(new SmppConnectionError(`Not bound to the SMSC within ${timeoutMs} ms`, this.lastError)),
        timeoutMs,
      );
      const settle = (action: () => void) => {
        clearTimeout(timer);
        this.boundWaiters.delete(waiter);
        action();
      };
      this.boundWaiters.add(waiter);
    });
  }

  private rejectBoundWaiters(error: Error): void {
    for (const waiter of [...this.boundWaiters]) waiter.reject(error);
  }

  private connect(): void {
    const { host, port, tls } = this.endpoint;
    const session = smpp.connect({ ...this.options.tls, host, port, tls });
    // Nagle holds small PDUs back waiting for ACKs that delayed-ACK holds too: tens of ms per exchange.
    session.socket.setNoDelay(true);
    coalesceWrites(session);
    const connection: Connection = { session, pending: new Map(), bound: false, failed: false };
    connection.timeoutSweep = setInterval(() => this.sweep(connection), sweepPeriod(this.settings.responseTimeoutMs)).unref();
    this.connection = connection;
    const bindTimer = setTimeout(() => {
      this.reportError(new SmppConnectionError(`No connection to the SMSC within ${this.settings.responseTimeoutMs} ms`));
      session.destroy();
    }, this.settings.responseTimeoutMs);
    // A non-SMPP peer makes the library throw from its parser; without this handler the process dies.
    session.on('error', (error: Error) => {
      connection.failed = true;
      this.reportError(new SmppConnectionError(`SMPP connection error: ${error.message}`, error));
      session.destroy();
    });
    session.on('close', () => {
      clearTimeout(bindTimer);
      this.onClose(connection);
    });
    session.on('pdu', (pdu: PDU) => this.onPdu(connection, pdu));
    session.once(tls ? 'secureConnect' : 'connect', () => {
      void this.bind(connection).finally(() => clearTimeout(bindTimer));
    });
  }

  private async bind(connection: Connection): Promise<void> {
    const { systemId, password, systemType } = this.endpoint;
    let response: PDU;
    try {
      response = await this.exchange(
        connection,
        new smpp.PDU('bind_transceiver', { system_id: systemId, password, system_type: systemType, interface_version: 0x34 }),
      );
    } catch (error) {
      if (!connection.failed) this.reportError(error as Error);
      connection.session.destroy();
      return;
    }
    if (response.command_status !== CommandStatus.OK) {
      this.onBindRefused(connection, new SmppBindError(systemId, response.command_status));
      return;
    }
    this.onBound(connection);
  }

  private onBound(connection: Connection): void {
    connection.bound = true;
    this.state = 'bound';
    this.reconnectAttempt = 0;
    this.counters.binds++;
    connection.enquireTimer = setInterval(() => void this.enquireLink(connection), this.settings.enquireLinkIntervalMs);
    this.log.info('bound to SMSC as transceiver');
    for (const waiter of [...this.boundWaiters]) waiter.resolve();
  }

  // Before the first successful bind a refusal means wrong settings: fail start() instead of looping.
  private onBindRefused(connection: Connection, error: SmppBindError): void {
    this.reportError(error);
    if (this.counters.binds === 0) this.rejectBoundWaiters(error);
    connection.session.destroy();
  }

  private async enquireLink(connection: Connection): Promise<void> {
    try {
      await this.exchange(connection, new smpp.PDU('enquire_link', {}));
    } catch (error) {
      this.reportError(new SmppConnectionError('enquire_link unanswered, dropping the connection', error));
      connection.session.destroy();
    }
  }

  private onClose(connection: Connection): void {
    clearInterval(connection.enquireTimer);
    const wasBound = connection.bound;
    connection.bound = false;
    const error = new SmppConnectionError('SMPP connection closed before the response arrived');
    clearInterval(connection.timeoutSweep);
    for (const pending of connection.pending.values()) {
      pending.release?.();
      pending.reject(error);
    }
    connection.pending.clear();
    if (wasBound) this.counters.disconnects++;
    if (this.connection !== connection || this.state === 'stopped') return;
    this.connection = undefined;
    this.state = 'connecting';
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const { reconnectInitialDelayMs: initial, reconnectMaxDelayMs: max } = this.settings;
    const ceiling = Math.min(initial * 2 ** this.reconnectAttempt++, max);
    // Jitter so that several workers dropped together do not reconnect in lockstep.
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.log.info({ delayMs: delay, attempt: this.reconnectAttempt }, 'reconnecting to SMSC');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private exchange(connection: Connection, pdu: PDU, release?: () => void): Promise<PDU> {
    const { command } = pdu;
    return new Promise<PDU>((resolve, reject) => {
      let sent: boolean;
      try {
        sent = connection.session.send(pdu);
      } catch (cause) {
        release?.();
        reject(new SmppError(`Could not encode ${command}: ${(cause as Error).message}`, { retryable: false, cause }));
        return;
      }
      if (!sent) {
        release?.();
        reject(new SmppConnectionError(`SMPP connection not writable, ${command} not sent`));
        return;
      }
      const deadline = performance.now() + this.settings.responseTimeoutMs;
      connection.pending.set(pdu.sequence_number, { command, resolve, reject, deadline, release });
    });
  }

  // One timer per connection rather than one per PDU or receipt, which counts at thousands of PDUs per second.
  private sweep(connection: Connection): void {
    const now = performance.now();
    for (const [sequence, pending] of connection.pending) {
      if (pending.deadline > now) break;
      connection.pending.delete(sequence);
      pending.release?.();
      pending.reject(new SmppTimeoutError(pending.command, this.settings.responseTimeoutMs));
    }
    for (const [messageId, gate] of this.receiptGates) {
      if (gate.deadline > now) break;
      this.openReceiptGate(messageId);
    }
  }

  // Runs inside the library's socket reader: anything thrown here would escape to the event loop.
  private onPdu(connection: Connection, pdu: PDU): void {
    try {
      if (pdu.isResponse()) this.onResponse(connection, pdu);
      else this.onRequest(connection, pdu);
    } catch (error) {
      this.reportError(new SmppError('Failed to handle a PDU from the SMSC', { retryable: true, cause: error }));
    }
  }

  private onResponse(connection: Connection, pdu: PDU): void {
    const pending = connection.pending.get(pdu.sequence_number);
    if (!pending) {
      // After a timeout the caller was told "in doubt"; the id is logged so support can reconcile.
      this.log.warn({ command: pdu.command, messageId: pdu.message_id, status: pdu.command_status }, 'late or unknown response');
      return;
    }
    connection.pending.delete(pdu.sequence_number);
    if (pending.command === 'submit_sm' && pdu.command_status === CommandStatus.OK && pdu.message_id) this.closeReceiptGate(pdu.message_id);
    pending.release?.();
    pending.resolve(pdu);
  }

  private onRequest(connection: Connection, pdu: PDU): void {
    switch (pdu.command) {
      case 'deliver_sm':
        void this.onDeliverSm(connection, pdu);
        return;
      case 'enquire_link':
        connection.session.send(pdu.response());
        return;
      case 'unbind':
        connection.bound = false;
        connection.session.send(pdu.response(), () => connection.session.close());
        return;
      case 'alert_notification':
        return;
      default:
        connection.session.send(pdu.response({ command_status: 0x03 }));
    }
  }

  private async onDeliverSm(connection: Connection, pdu: PDU): Promise<void> {
    let status: number = CommandStatus.OK;
    try {
      if (isDeliveryReceipt(pdu)) {
        const receipt = receiptFromPdu(pdu);
        const gate = this.passReceiptGate(receipt.messageId);
        if (gate) await gate;
        await this.deliverReceipt(receipt);
      }
      else for (const message of this.assembler.add(inboundPartFromPdu(pdu))) await this.deliverInbound(message);
    } catch (error) {
      // A temporary error makes the SMSC deliver again later instead of losing the receipt or SMS.
      status = CommandStatus.TEMPORARY_APP_ERROR;
      this.reportError(new SmppError('deliver_sm handler failed', { retryable: true, cause: error }));
    }
    connection.session.send(new DeliverSmRespPdu(pdu.sequence_number, status).asPdu());
  }

  private deliverReceipt(receipt: GatewayReceipt): void | Promise<void> {
    this.counters.receipts++;
    return this.options.onDeliveryReceipt?.(receipt);
  }

  private async deliverInbound(message: InboundSms): Promise<void> {
    this.counters.inbound++;
    await this.options.onInboundMessage?.(message);
  }

  private async closeConnection(connection: Connection): Promise<void> {
    const { session } = connection;
    if (session.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => session.socket.once('close', () => resolve()));
    if (connection.bound) {
      await Promise.race([this.exchange(connection, new smpp.PDU('unbind', {})).catch(() => undefined), sleep(STOP_GRACE_MS)]);
      session.close();
    } else {
      session.destroy();
    }
    const timer = setTimeout(() => session.destroy(), STOP_GRACE_MS);
    await closed;
    clearTimeout(timer);
  }

  private reportError(error: Error): void {
    this.lastError = error;
    this.log.warn({ err: error }, error.message);
    try {
      this.options.onError?.(error);
    } catch (callbackError) {
      this.log.error({ err: callbackError }, 'onError callback threw');
    }
  }
}

// Timeouts fire up to a tenth of their length late, and at least every 50 ms.
function sweepPeriod(timeoutMs: number): number {
  return Math.max(50, Math.min(1_000, timeoutMs / 10));
}

function unexpected(reason: unknown): SmppError {
  return new SmppError('Unexpected failure while submitting', { retryable: false, cause: reason });
}
