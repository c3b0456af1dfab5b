import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Spaces permits 1/rate apart (GCRA, a token bucket of `burst` tokens).
 * Chosen over a fixed one-second window, which lets 2× the rate through across a window edge
 * and so trips the SMSC's own throttling; absolute slot times keep timer lateness from drifting.
 */
export class PacedRateLimiter {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  private theoreticalArrival = 0;

  constructor(ratePerSecond: number, burst = 1) {
    if (!(ratePerSecond > 0)) throw new RangeError(`Rate limit must be positive, got ${ratePerSecond}`);
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`Rate burst must be an integer ≥ 1, got ${burst}`);
    this.intervalMs = Number.isFinite(ratePerSecond) ? 1000 / ratePerSecond : 0;
    this.toleranceMs = (burst - 1) * this.intervalMs;
  }

  /** Takes a permit only if one is free right now: the synchronous fast path of take(). */
  tryTake(): boolean {
    if (this.intervalMs === 0) return true;
    const now = performance.now();
    const slot = Math.max(this.theoreticalArrival, now);
    if (slot - this.toleranceMs - now > 0) return false;
    this.theoreticalArrival = slot + this.intervalMs;
    return true;
  }

  /** Resolves when the caller may send one more PDU; callers are served in call order. */
  async take(): Promise<void> {
    if (this.intervalMs === 0) return;
    const now = performance.now();
    const slot = Math.max(this.theoreticalArrival, now);
    this.theoreticalArrival = slot + this.intervalMs;
    const waitMs = slot - this.toleranceMs - now;
    if (waitMs > 0) await sleep(waitMs);
  }
}

/** Counts outstanding requests and queues callers beyond `size`, first come first served. */
export class Window {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Window size must be an integer ≥ 1, got ${size}`);
  }

  /** Requests currently holding a slot. */
  get inFlight(): number {
    return this.used;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves with a release function once a slot is free; call it exactly once. */
  async acquire(): Promise<() => void> {
    if (this.used < this.size) this.used++;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.releaser();
  }

  /** A release function if a slot is free right now, else undefined: the synchronous fast path of acquire(). */
  tryAcquire(): (() => void) | undefined {
    if (this.used >= this.size) return undefined;
    this.used++;
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release();
    };
  }

  // A freed slot passes straight to the next waiter so `used` never dips and lets a newcomer jump the queue.
  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.used--;
  }
}

/**
 * Gathers every PDU a session sends during one event-loop turn into a single socket write.
 * The library writes each PDU on its own, and one syscall per 50-byte PDU dominates CPU at thousands of PDUs/s.
 */
export function coalesceWrites(session: { socket: Socket; send: (...args: never[]) => boolean }): void {
  const { socket } = session;
  const send = session.send.bind(session) as (...args: never[]) => boolean;
  let corked = false;
  session.send = (...args: never[]) => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return send(...args);
  };
}
