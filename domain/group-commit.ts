/** The items gathered for one statement, and the promise all of them wait on. */
interface Batch<I, R> {
  items: I[];
  weight: number;
  /** performance.now() of its first item. */
  openedAt: number;
  done: Promise<R>;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** Settings of a GroupCommit. */
export interface GroupCommitOptions<I> {
  /** Largest weight of one statement (default 500). */
  maxBatch?: number;
  /** An item's share of maxBatch, for items that carry several rows (default 1). */
  weigh?: (item: I) => number;
  /** How long a batch that is not full waits for more items before it is written (default 0: written at once). */
  lingerMs?: number;
}

/**
 * Group commit: the first item is written at once (or after `lingerMs`), items arriving meanwhile wait and go together
 * in the next statement. One round trip per batch under load, one statement in flight at a time. Every item of a batch
 * gets the batch's result (one promise per statement, not per item); a writer that answers per item returns a map by
 * item.
 */
export class GroupCommit<I, R = void> {
  private readonly batches: Array<Batch<I, R>> = [];
  /** The batch being written. */
  private writing?: Batch<I, R>;
  private lingering?: NodeJS.Timeout;
  private flushing = false;
  /** Statements written, items they carried and time spent, for logs and benches. */
  readonly stats = { batches: 0, items: 0, ms: 0 };

  private readonly maxBatch: number;
  private readonly weigh: (item: I) => number;
  private readonly lingerMs: number;

  constructor(
    private readonly write: (items: I[]) => Promise<R>,
    options: GroupCommitOptions<I> = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.weigh = options.weigh ?? (() => 1);
    this.lingerMs = options.lingerMs ?? 0;
  }

  /** Queues one item; resolves with its batch's result once the statement holding it has committed. */
  push(item: I): Promise<R> {
    const weight = this.weigh(item);
    let batch = this.batches.at(-1);
    if (!batch || batch.weight + weight > this.maxBatch) {
      batch = gathering<I, R>(performance.now());
      this.batches.push(batch);
    }
    batch.items.push(item);
    batch.weight += weight;
    this.drain();
    return batch.done;
  }

  private drain(): void {
    if (this.writing) return;
    const head = this.batches[0];
    if (!head) return;
    const wait = head.weight < this.maxBatch && !this.flushing ? head.openedAt + this.lingerMs - performance.now() : 0;
    if (wait > 0) {
      this.lingering ??= setTimeout(() => {
        this.lingering = undefined;
        this.drain();
      }, wait);
      return;
    }
    clearTimeout(this.lingering);
    this.lingering = undefined;
    const batch = this.batches.shift()!;
    this.writing = batch;
    const started = performance.now();
    this.stats.batches++;
    this.stats.items += batch.items.length;
    this.write(batch.items)
      .then(batch.resolve, batch.reject)
      .finally(() => {
        this.stats.ms += performance.now() - started;
        this.writing = undefined;
        this.drain();
      });
  }

  /** Writes what is waiting without lingering any more, and resolves once nothing is left to write. */
  async flush(): Promise<void> {
    this.flushing = true;
    this.drain();
    for (let last = this.batches.at(-1) ?? this.writing; last; last = this.batches.at(-1) ?? this.writing) await last.done.catch(() => undefined);
  }
}

function gathering<I, R>(openedAt: number): Batch<I, R> {
  let resolve!: (result: R) => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<R>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { items: [], weight: 0, openedAt, done, resolve, reject };
}
