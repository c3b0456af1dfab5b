import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit';

/** A writer that records each statement's items, tells when a statement is issued, and finishes when told to. */
function recordingWriter() {
  const statements: number[][] = [];
  const pending: Array<() => void> = [];
  const watchers: Array<{ count: number; resolve: () => void }> = [];
  const write = (items: number[]) => {
    statements.push(items);
    for (const watcher of watchers) if (statements.length >= watcher.count) watcher.resolve();
    return new Promise<number>((resolve) => pending.push(() => resolve(items.length)));
  };
  /** Resolves once `count` statements have been issued. */
  const issued = (count: number) => new Promise<void>((resolve) => (statements.length >= count ? resolve() : watchers.push({ count, resolve })));
  return { statements, write, issued, finishNext: () => pending.shift()?.() };
}

describe('GroupCommit', () => {
  it('writes the first item at once and the items that came meanwhile together, one statement at a time', async () => {
    const writer = recordingWriter();
    const commit = new GroupCommit(writer.write);
    const first = commit.push(1);
    const later = [commit.push(2), commit.push(3)];
    expect(writer.statements).toEqual([[1]]);
    writer.finishNext();
    expect(await first).toBe(1);
    await writer.issued(2);
    expect(writer.statements).toEqual([[1], [2, 3]]);
    writer.finishNext();
    expect(await Promise.all(later)).toEqual([2, 2]);
  });

  it('starts a new statement past maxBatch, by weight', async () => {
    const writer = recordingWriter();
    const commit = new GroupCommit(writer.write, { maxBatch: 4, weigh: (item) => item });
    const all = [1, 2, 1, 3, 2].map((item) => commit.push(item));
    for (let written = 1; written <= 4; written++) {
      await writer.issued(written);
      writer.finishNext();
    }
    await Promise.all(all);
    expect(writer.statements).toEqual([[1], [2, 1], [3], [2]]);
  });

  it('lets a batch gather for lingerMs before writing it, unless it is full or the commit is flushed', async () => {
    const writer = recordingWriter();
    const commit = new GroupCommit(writer.write, { maxBatch: 3, lingerMs: 40 });
    const openedAt = performance.now();
    const gathered = [commit.push(1), commit.push(2)];
    expect(writer.statements).toEqual([]);
    await writer.issued(1);
    // The linger is the behaviour under test: measured on the write, not slept for (a timer may fire 1 ms early).
    expect(performance.now() - openedAt).toBeGreaterThanOrEqual(39);
    expect(writer.statements).toEqual([[1, 2]]);
    writer.finishNext();
    await Promise.all(gathered);

    const full = [3, 4, 5].map((item) => commit.push(item));
    expect(writer.statements).toEqual([[1, 2], [3, 4, 5]]);
    writer.finishNext();
    await Promise.all(full);

    const last = commit.push(6);
    const flushed = commit.flush();
    expect(writer.statements.at(-1)).toEqual([6]);
    writer.finishNext();
    await flushed;
    expect(await last).toBe(1);
  });

  it('gives every item of a failed statement the error, and goes on with the next batch', async () => {
    const commit = new GroupCommit<number, number>(async (items) => {
      if (items.includes(1)) throw new Error('statement refused');
      return items.length;
    });
    const refused = [commit.push(1), commit.push(2)];
    await expect(refused[0]).rejects.toThrow('statement refused');
    expect(await refused[1]).toBe(1);
  });
});
