import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A writer that records each statement's items and finishes when told to. */
function recordingWriter() {
  const statements: number[][] = [];
  const pending: Array<() => void> = [];
  const write = (items: number[]) => {
    statements.push(items);
    return new Promise<number>((resolve) => pending.push(() => resolve(items.length)));
  };
  return { statements, write, finishNext: () => pending.shift()?.() };
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GroupCommit', () => {
  it('writes the first item at once and the items that came meanwhile together, one statement at a time', async () => {
    const writer = recordingWriter();
    const commit = new GroupCommit(writer.write);
    const first = commit.push(1);
    const later = [commit.push(2), commit.push(3)];
    expect(writer.statements).toEqual([[1]]);
    writer.finishNext();
    expect(await first).toBe(1);
    await tick();
    expect(writer.statements).toEqual([[1], [2, 3]]);
    writer.finishNext();
    expect(await Promise.all(later)).toEqual([2, 2]);
  });

  it('starts a new statement past maxBatch, by weight', async () => {
    const writer = recordingWriter();
    const commit = new GroupCommit(writer.write, { maxBatch: 4, weigh: (item) => item });
    const all = [1, 2, 1, 3, 2].map((item) => commit.push(item));
    for (let i = 0; i < 4; i++) {
      writer.finishNext();
      await tick();
    }
    await Promise.all(all);
    expect(writer.statements).toEqual([[1], [2, 1], [3], [2]]);
  });

  it('lets a batch gather for lingerMs before writing it, unless it is full or the commit is flushed', async () => {
    const writer = recordingWriter();
    const commit = new GroupCommit(writer.write, { maxBatch: 3, lingerMs: 40 });
    const gathered = [commit.push(1), commit.push(2)];
    await tick(10);
    expect(writer.statements).toEqual([]);
    await tick(60);
    expect(writer.statements).toEqual([[1, 2]]);
    writer.finishNext();
    await Promise.all(gathered);
    await tick();

    const full = [3, 4, 5].map((item) => commit.push(item));
    expect(writer.statements).toEqual([[1, 2], [3, 4, 5]]);
    writer.finishNext();
    await Promise.all(full);
    await tick();

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
