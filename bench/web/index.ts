import autocannon from 'autocannon';
import { percentile } from '@/bench/support/stats';
import { startBenchStack } from '@/bench/support/stack';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

/** One page under load: requests/s and latency percentiles from every response. */
interface PageFigures {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  total: number;
  failures: number;
}

/** The portal home and a tracking page under concurrent load on the embedded stack (loopback only, bounded in time). */
async function main(): Promise<void> {
  const stack = await startBenchStack({ workers: 1 });
  try {
    const receipt = await fileQuestion(stack.baseUrl);
    const pages = [
      { name: 'accueil du portail', url: `${stack.baseUrl}/t/demo` },
      { name: 'page de suivi', url: `${stack.baseUrl}/t/demo/suivi/${receipt.reference}?code=${encodeURIComponent(receipt.trackingCode)}` },
    ];
    for (const page of pages) await load(page.url, 3, 4); // warm-up: compiled routes, ORM and pools ready
    console.log(`[bench] ${CONNECTIONS} concurrent connections, ${DURATION_S} s per page, one next start process, loopback`);
    const results: PageFigures[] = [];
    for (const page of pages) {
      const figures = await load(page.url, DURATION_S, CONNECTIONS);
      results.push({ name: page.name, ...figures });
      console.log(
        `[bench] ${page.name}: ${figures.requestsPerSecond.toFixed(0)} req/s, p50 ${figures.p50} ms, p95 ${figures.p95} ms, p99 ${figures.p99} ms ` +
          `(${figures.total} requests, ${figures.failures} failures)`,
      );
    }
    const [home, tracking] = results;
    console.log(
      `web: home ${home.requestsPerSecond.toFixed(0)} req/s p95 ${home.p95} ms; tracking ${tracking.requestsPerSecond.toFixed(0)} req/s p95 ${tracking.p95} ms ` +
        `(${CONNECTIONS} connections, ${DURATION_S} s each, failures ${home.failures + tracking.failures})`,
    );
  } finally {
    await stack.stop();
  }
}

async function fileQuestion(baseUrl: string): Promise<{ reference: string; trackingCode: string }> {
  const response = await fetch(`${baseUrl}/api/v1/t/demo/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'question', subject: 'Mesure de charge', message: 'Demande créée pour le banc de charge.', contact: { email: 'banc@exemple.fr' } }),
  });
  if (response.status !== 201) throw new Error(`could not file the bench request: ${response.status} ${await response.text()}`);
  return (await response.json()) as { reference: string; trackingCode: string };
}

async function load(url: string, durationS: number, connections: number): Promise<Omit<PageFigures, 'name'>> {
  const latencies: number[] = [];
  let failures = 0;
  const instance = autocannon({ url, connections, duration: durationS });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    if (statusCode !== 200) failures++;
  });
  const result = await instance;
  failures += result.errors + result.timeouts;
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    requestsPerSecond: latencies.length / durationS,
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    total: latencies.length,
    failures,
  };
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
