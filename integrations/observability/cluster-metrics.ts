// The web cluster's /metrics: whichever process a scrape reaches answers for all of them. prom-client's
// AggregatorRegistry sums the processes' registries in the primary; this adds the ask-and-answer between a process
// serving /metrics and the primary, which prom-client leaves to the application.
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const ASK = 'relais:cluster-metrics-ask';
const ANSWER = 'relais:cluster-metrics-answer';
// The primary's own wait for each process is 5 s (prom-client): a process waits a little longer for its answer.
const ANSWER_TIMEOUT_MS = 6_000;

interface Ask {
  type: typeof ASK;
  id: number;
}

interface Answer {
  type: typeof ANSWER;
  id: number;
  body?: string;
  error?: string;
}

/** In the primary: answers each process's ask with the sum of every live process's metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Partial<Ask>) => {
    if (message?.type !== ASK || typeof message.id !== 'number') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (body) => worker.send({ type: ANSWER, id, body } satisfies Answer),
      (error: Error) => worker.send({ type: ANSWER, id, error: error.message } satisfies Answer),
    );
  });
}

/**
 * In a process of the cluster: its registry joins the primary's sums, and the function returned gives the whole
 * cluster's metrics (the text a scrape of /metrics gets).
 */
export function clusterMetricsCollector(registry: Registry): () => Promise<string> {
  // Constructed for its side effect: the listener that hands this process's registry to the primary's sums.
  void new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const waiting = new Map<number, { resolve: (body: string) => void; reject: (error: Error) => void }>();
  let next = 0;
  process.on('message', (message: Partial<Answer>) => {
    if (message?.type !== ANSWER || typeof message.id !== 'number') return;
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined) pending?.reject(new Error(message.error));
    else pending?.resolve(message.body ?? '');
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary process did not answer'));
      }, ANSWER_TIMEOUT_MS);
      const settle = <T>(fn: (value: T) => void) => (value: T) => {
        clearTimeout(timer);
        fn(value);
      };
      waiting.set(id, { resolve: settle(resolve), reject: settle(reject) });
      process.send!({ type: ASK, id } satisfies Ask);
    });
}
