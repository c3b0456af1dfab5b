import { describe, expect, it } from 'vitest';
import { PacedRateLimiter, Window } from './flow-control.js';

describe('Window', () => {
  it('lets `size` callers in and queues the next until a slot is released, in order', async () => {
    const window = new Window(2);
    const first = await window.acquire();
    await window.acquire();
    const order: number[] = [];
    const third = window.acquire().then((release) => (order.push(3), release));
    const fourth = window.acquire().then((release) => (order.push(4), release));
    expect(window.queued).toBe(2);

    first();
    first();
    await third;
    expect(order).toEqual([3]);
    expect(window.inFlight).toBe(2);
    (await third)();
    await fourth;
    expect(order).toEqual([3, 4]);
  });

  it('refuses a size below one', () => {
    expect(() => new Window(0)).toThrow(RangeError);
  });
});

describe('PacedRateLimiter', () => {
  it('lets a burst through at once and spaces the rest 1/rate apart', async () => {
    const limiter = new PacedRateLimiter(100, 3);
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => limiter.take().then(() => times.push(performance.now() - started))));
    // Three later tokens 10 ms apart; timers may fire a little early or late, so the bounds leave room either way.
    expect(times[5] - times[2]).toBeGreaterThanOrEqual(25);
    expect(times[2]).toBeLessThan(times[5] - 20);
  });

  it('does not wait when the rate is infinite and refuses a non-positive rate', async () => {
    await new PacedRateLimiter(Infinity).take();
    expect(() => new PacedRateLimiter(0)).toThrow(RangeError);
  });
});
