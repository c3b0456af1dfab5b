import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import smpp, { type PDU, type PduFields, type Session } from 'smpp';
import { encodeGsm, encodeSms, gsmSeptets } from '@/domain/sms/encoding';
import { coalesceWrites } from '@/integrations/smpp/flow-control.js';
import { relaisAddress, smppAddress } from '@/integrations/smpp/address.js';
import { inboundPartFromPdu, type InboundPart } from '@/integrations/smpp/deliver-sm.js';

/** An ESME account the simulator accepts. */
export interface SmscAccount {
  systemId: string;
  password: string;
}

/** Throttling: off, on for every submit, a ratio of submits (0–1), or a per-account rate. */
export type ThrottleSetting = boolean | number | { maxPerSecond: number };

/** Settings of `startSmscSimulator`. */
export interface SmscSimulatorOptions {
  /** 0 (default) lets the system pick a free port. */
  port?: number;
  host?: string;
  accounts: SmscAccount[];
  /** Delay between a submit and its delivery receipt (default 0). */
  receiptDelayMs?: number;
  /** Delay before each submit_sm_resp, to have PDUs in flight (default 0). */
  responseDelayMs?: number;
  /** Share of messages whose receipt says UNDELIV (default 0). */
  failureRatio?: number;
  throttle?: ThrottleSetting;
  /** Keep every submitted message in `submitted` (default true; turn off for long benches). */
  recordSubmissions?: boolean;
  logger?: Logger;
  random?: () => number;
}

/** One submit_sm the simulator accepted; addresses as Relais writes them (E.164, short code or name). */
export interface SubmittedMessage {
  messageId: string;
  systemId: string;
  from: string;
  to: string;
  text: string;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  concat?: InboundPart['concat'];
  acceptedAt: number;
}

/** An SMS a handset sends to the platform. */
export interface MobileOriginated {
  from: string;
  to: string;
  text: string;
  /** Account whose bind receives it (default: the first account). */
  systemId?: string;
}

/** Counters of what the simulator did. */
export interface SmscStats {
  binds: number;
  bindFailures: number;
  submitted: number;
  throttled: number;
  receiptsSent: number;
  receiptsQueued: number;
  deliverAcks: number;
  deliverRefusals: number;
  mobileOriginated: number;
  enquireLinks: number;
  sessions: number;
  drops: number;
}

/** A running simulator. */
export interface SmscSimulator {
  port: number;
  host: string;
  /** Accepted submissions in arrival order (empty when recordSubmissions is false). */
  submitted: SubmittedMessage[];
  stats(): SmscStats;
  /** Turns throttling on, off, to a ratio or to a per-account rate. */
  setThrottle(setting: ThrottleSetting): void;
  /** Closes every ESME connection; by default after flushing responses already written. */
  dropConnections(options?: { abrupt?: boolean }): void;
  /** Makes every later message to this address fail (receipt UNDELIV), e.g. to test failure handling. */
  failDeliveriesTo(address: string): void;
  /** Changes the share of messages whose receipt says UNDELIV. */
  setFailureRatio(ratio: number): void;
  /** Sends an MO (split with UDH when long) to a bound session; resolves on deliver_sm_resp. */
  injectMo(message: MobileOriginated): Promise<void>;
  stop(): Promise<void>;
}

interface SimSession {
  session: Session;
  systemId?: string;
  canSend: boolean;
  canReceive: boolean;
  /** submit_sm_resp held back by responseDelayMs. */
  delayedResponses: Map<NodeJS.Timeout, PDU>;
}

const STATUS = smpp.errors;
const BIND_COMMANDS: Record<string, { canSend: boolean; canReceive: boolean }> = {
  bind_transceiver: { canSend: true, canReceive: true },
  bind_transmitter: { canSend: true, canReceive: false },
  bind_receiver: { canSend: false, canReceive: true },
};
const ESM_CLASS_RECEIPT = 0x04;
const MESSAGE_STATE_DELIVERED = 2;
const MESSAGE_STATE_UNDELIVERABLE = 5;
const DELIVER_TIMEOUT_MS = 5_000;
const GRACEFUL_DROP_MS = 1_000;

/** Starts an SMPP server that behaves like an operator SMSC, for development and tests. */
export async function startSmscSimulator(options: SmscSimulatorOptions): Promise<SmscSimulator> {
  const simulator = new Simulator(options);
  await simulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return simulator;
}

class Simulator implements SmscSimulator {
  port = 0;
  host = '127.0.0.1';
  readonly submitted: SubmittedMessage[] = [];
  private readonly server = smpp.createServer();
  private readonly sessions = new Set<SimSession>();
  private readonly accounts: Map<string, string>;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly idPrefix = randomBytes(2).toString('hex');
  private readonly queuedReceipts = new Map<string, PduFields[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly rateWindows = new Map<string, { second: number; count: number }>();
  private throttle: ThrottleSetting;
  private failureRatio: number;
  private readonly failing = new Set<string>();
  private nextId = 0;
  private readonly counters: Omit<SmscStats, 'sessions' | 'receiptsQueued'> = {
    binds: 0,
    bindFailures: 0,
    submitted: 0,
    throttled: 0,
    receiptsSent: 0,
    deliverAcks: 0,
    deliverRefusals: 0,
    mobileOriginated: 0,
    enquireLinks: 0,
    drops: 0,
  };

  constructor(private readonly options: SmscSimulatorOptions) {
    if (options.accounts.length === 0) throw new Error('SMSC simulator needs at least one account');
    this.accounts = new Map(options.accounts.map((account) => [account.systemId, account.password]));
    this.log = options.logger ?? pino({ level: 'silent' });
    this.random = options.random ?? Math.random;
    this.throttle = options.throttle ?? false;
    this.failureRatio = options.failureRatio ?? 0;
    this.server.on('session', (session: Session) => this.accept(session));
    this.server.on('error', (error: Error) => this.log.error({ err: error }, 'SMSC simulator server error'));
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        this.host = host;
        this.log.info({ host, port: this.port }, 'SMSC simulator listening');
        resolve();
      });
    });
  }

  stats(): SmscStats {
    const receiptsQueued = [...this.queuedReceipts.values()].reduce((sum, queue) => sum + queue.length, 0);
    return { ...this.counters, sessions: this.sessions.size, receiptsQueued };
  }

  setThrottle(setting: ThrottleSetting): void {
    this.throttle = setting;
    this.rateWindows.clear();
  }

  failDeliveriesTo(address: string): void {
    this.failing.add(relaisAddress(address));
  }

  setFailureRatio(ratio: number): void {
    if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`Failure ratio must be between 0 and 1, got ${ratio}`);
    this.failureRatio = ratio;
  }

  // A graceful drop stops reading first, so every submit the SMSC processed has its response flushed.
  dropConnections(options: { abrupt?: boolean } = {}): void {
    for (const sim of this.sessions) {
      this.counters.drops++;
      sim.canSend = sim.canReceive = false;
      sim.session.pause();
      if (!options.abrupt) this.flushResponses(sim);
      if (options.abrupt) {
        sim.session.destroy();
        continue;
      }
      sim.session.close();
      this.later(GRACEFUL_DROP_MS, () => sim.session.destroy());
    }
  }

  async injectMo(message: MobileOriginated): Promise<void> {
    const systemId = message.systemId ?? this.options.accounts[0].systemId;
    const target = this.receiverOf(systemId);
    if (!target) throw new Error(`No bound receiver for "${systemId}" to deliver the MO to`);
    const sms = encodeSms(message.text);
    const deliveries = sms.segments.map((segment) =>
      this.deliver(target, {
        ...addressFields(typedAddress(message.from), typedAddress(message.to)),
        esm_class: sms.esmClass,
        data_coding: sms.dataCoding,
        short_message: segment,
      }),
    );
    await Promise.all(deliveries);
    this.counters.mobileOriginated++;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const sim of this.sessions) {
      for (const timer of sim.delayedResponses.keys()) clearTimeout(timer);
      sim.session.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(session: Session): void {
    const sim: SimSession = { session, canSend: false, canReceive: false, delayedResponses: new Map() };
    session.socket.setNoDelay(true);
    coalesceWrites(session);
    this.sessions.add(sim);
    session.on('close', () => this.sessions.delete(sim));
    // Garbage from a client must not take the simulator down with it.
    session.on('error', (error: Error) => {
      this.log.warn({ err: error }, 'SMSC simulator session error');
      session.destroy();
    });
    session.on('pdu', (pdu: PDU) => {
      try {
        this.handle(sim, pdu);
      } catch (error) {
        this.log.error({ err: error, command: pdu.command }, 'SMSC simulator failed to handle a PDU');
        session.send(pdu.response({ command_status: STATUS.ESME_RSYSERR }));
      }
    });
  }

  private handle(sim: SimSession, pdu: PDU): void {
    if (pdu.isResponse()) return this.onResponse(pdu);
    if (pdu.command in BIND_COMMANDS) return this.bind(sim, pdu);
    switch (pdu.command) {
      case 'submit_sm':
        return this.submit(sim, pdu);
      case 'enquire_link':
        this.counters.enquireLinks++;
        sim.session.send(pdu.response());
        return;
      case 'unbind':
        sim.canSend = sim.canReceive = false;
        sim.session.send(pdu.response(), () => sim.session.close());
        return;
      default:
        sim.session.send(pdu.response({ command_status: STATUS.ESME_RINVCMDID }));
    }
  }

  private onResponse(pdu: PDU): void {
    if (pdu.command !== 'deliver_sm_resp') return;
    if (pdu.command_status === STATUS.ESME_ROK) this.counters.deliverAcks++;
    else this.counters.deliverRefusals++;
  }

  private bind(sim: SimSession, pdu: PDU): void {
    const status = this.checkBind(sim, pdu);
    if (status !== STATUS.ESME_ROK) {
      this.counters.bindFailures++;
      this.log.info({ systemId: pdu.system_id, status }, 'bind refused');
      sim.session.send(pdu.response({ command_status: status }));
      return;
    }
    Object.assign(sim, { systemId: pdu.system_id }, BIND_COMMANDS[pdu.command]);
    this.counters.binds++;
    sim.session.send(pdu.response({ system_id: 'RELAIS-SIM' }));
    this.log.info({ systemId: sim.systemId, command: pdu.command }, 'bound');
    if (sim.canReceive) this.flushReceipts(sim);
  }

  private checkBind(sim: SimSession, pdu: PDU): number {
    if (sim.systemId !== undefined) return STATUS.ESME_RALYBND;
    const password = this.accounts.get(pdu.system_id ?? '');
    if (password === undefined) return STATUS.ESME_RBINDFAIL;
    if (password !== pdu.password) return STATUS.ESME_RINVPASWD;
    return STATUS.ESME_ROK;
  }

  private submit(sim: SimSession, pdu: PDU): void {
    if (!sim.canSend || sim.systemId === undefined) {
      sim.session.send(pdu.response({ command_status: STATUS.ESME_RINVBNDSTS }));
      return;
    }
    if (this.isThrottled(sim.systemId)) {
      this.counters.throttled++;
      sim.session.send(pdu.response({ command_status: STATUS.ESME_RTHROTTLED }));
      return;
    }
    // As operators do: a destination that is no subscriber number or short code is refused for good.
    if (!/^\d{3,15}$/.test(pdu.destination_addr ?? '')) {
      sim.session.send(pdu.response({ command_status: STATUS.ESME_RINVDSTADR }));
      return;
    }
    const message = this.record(sim.systemId, pdu);
    this.respond(sim, pdu.response({ message_id: message.messageId }));
    const wanted = (pdu.registered_delivery ?? 0) & 0x03;
    if (wanted !== 0) this.scheduleReceipt(message, wanted);
  }

  private respond(sim: SimSession, response: PDU): void {
    const delayMs = this.options.responseDelayMs ?? 0;
    if (delayMs === 0) {
      sim.session.send(response);
      return;
    }
    const timer = setTimeout(() => {
      sim.delayedResponses.delete(timer);
      sim.session.send(response);
    }, delayMs);
    sim.delayedResponses.set(timer, response);
  }

  private flushResponses(sim: SimSession): void {
    for (const [timer, response] of sim.delayedResponses) {
      clearTimeout(timer);
      sim.session.send(response);
    }
    sim.delayedResponses.clear();
  }

  private isThrottled(systemId: string): boolean {
    const throttle = this.throttle;
    if (typeof throttle === 'boolean') return throttle;
    if (typeof throttle === 'number') return this.random() < throttle;
    const second = Math.floor(Date.now() / 1000);
    const window = this.rateWindows.get(systemId);
    if (!window || window.second !== second) {
      this.rateWindows.set(systemId, { second, count: 1 });
      return false;
    }
    return ++window.count > throttle.maxPerSecond;
  }

  private record(systemId: string, pdu: PDU): SubmittedMessage {
    const part = inboundPartFromPdu(pdu);
    const message: SubmittedMessage = {
      messageId: `${this.idPrefix}${(this.nextId++).toString(16).padStart(8, '0')}`,
      systemId,
      from: part.from,
      to: part.to,
      text: part.text,
      dataCoding: part.dataCoding,
      esmClass: pdu.esm_class ?? 0,
      registeredDelivery: pdu.registered_delivery ?? 0,
      concat: part.concat,
      acceptedAt: Date.now(),
    };
    this.counters.submitted++;
    if (this.options.recordSubmissions !== false) this.submitted.push(message);
    return message;
  }

  // registered_delivery 1 asks for every final receipt, 2 only for failures (SMPP 3.4 §5.2.17).
  private scheduleReceipt(message: SubmittedMessage, wanted: number): void {
    const failed = this.failing.has(message.to) || this.random() < this.failureRatio;
    if (wanted === 2 && !failed) return;
    this.later(this.options.receiptDelayMs ?? 0, () => {
      const receipt = receiptFields(message, failed);
      const target = this.receiverOf(message.systemId);
      if (target) this.sendReceipt(target, receipt);
      else this.queueReceipt(message.systemId, receipt);
    });
  }

  // A real SMSC keeps receipts for an ESME that is not bound and sends them on its next bind.
  private queueReceipt(systemId: string, receipt: PduFields): void {
    const queue = this.queuedReceipts.get(systemId) ?? [];
    queue.push(receipt);
    this.queuedReceipts.set(systemId, queue);
  }

  private flushReceipts(sim: SimSession): void {
    const queue = this.queuedReceipts.get(sim.systemId ?? '') ?? [];
    this.queuedReceipts.delete(sim.systemId ?? '');
    for (const receipt of queue) this.sendReceipt(sim, receipt);
  }

  // A receipt the ESME refused is dropped; one its session never acknowledged (closed, or killed without a word) is
  // kept for the account's next bound receiver, as a real SMSC retries it.
  private sendReceipt(sim: SimSession, receipt: PduFields): void {
    this.counters.receiptsSent++;
    this.deliver(sim, receipt).catch((error: Error & { refused?: boolean }) => {
      this.log.warn({ err: error }, 'receipt not acknowledged');
      if (error.refused || !sim.systemId) return;
      const other = this.receiverOf(sim.systemId);
      if (other && other !== sim) this.sendReceipt(other, receipt);
      else this.queueReceipt(sim.systemId, receipt);
    });
  }

  private receiverOf(systemId: string): SimSession | undefined {
    for (const sim of this.sessions) if (sim.systemId === systemId && sim.canReceive) return sim;
    return undefined;
  }

  private deliver(sim: SimSession, fields: PduFields): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('No deliver_sm_resp in time')), DELIVER_TIMEOUT_MS);
      const sent = sim.session.deliver_sm(fields, (response) => {
        clearTimeout(timer);
        if (response.command_status === STATUS.ESME_ROK) resolve();
        else reject(Object.assign(new Error(`deliver_sm refused with status ${response.command_status}`), { refused: true }));
      });
      if (!sent) {
        clearTimeout(timer);
        reject(new Error('Session closed before deliver_sm'));
      }
    });
  }

  private later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }
}

/** deliver_sm fields of a receipt: the SMPP 3.4 Appendix B text and the TLVs, as operators send both. */
export function receiptFields(message: SubmittedMessage, failed: boolean, now = new Date()): PduFields {
  const stat = failed ? 'UNDELIV' : 'DELIVRD';
  const text =
    `id:${message.messageId} sub:001 dlvrd:${failed ? '000' : '001'} ` +
    `submit date:${smscDate(new Date(message.acceptedAt))} done date:${smscDate(now)} ` +
    `stat:${stat} err:${failed ? '001' : '000'} text:${gsmOnly([...message.text].slice(0, 20).join(''))}`;
  return {
    ...addressFields(message.to, message.from),
    esm_class: ESM_CLASS_RECEIPT,
    data_coding: 0,
    short_message: encodeGsm(text),
    receipted_message_id: message.messageId,
    message_state: failed ? MESSAGE_STATE_UNDELIVERABLE : MESSAGE_STATE_DELIVERED,
  };
}

function gsmOnly(text: string): string {
  return [...text].map((char) => (gsmSeptets(char) === undefined ? '?' : char)).join('');
}

function smscDate(date: Date): string {
  const parts = [date.getFullYear() % 100, date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes()];
  return parts.map((part) => String(part).padStart(2, '0')).join('');
}

/** The SMPP source and destination of a deliver_sm, from addresses as Relais writes them. */
function addressFields(from: string, to: string): PduFields {
  const source = smppAddress(from);
  const destination = smppAddress(to);
  return { source_addr_ton: source.ton, source_addr_npi: source.npi, source_addr: source.value, dest_addr_ton: destination.ton, dest_addr_npi: destination.npi, destination_addr: destination.value };
}

/** A number as a developer types it for an MO (`06 12 34 56 78`, `+33 6…`, `36180`), as a handset's SMSC would send it. */
function typedAddress(typed: string): string {
  return relaisAddress(typed.replace(/[\s.\-()]/g, ''));
}
