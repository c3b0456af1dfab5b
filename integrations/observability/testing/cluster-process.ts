// A process of a test web cluster: counts HITS into its own registry and scrapes the cluster's sum when asked.
import { Counter, Registry } from 'prom-client';
import { clusterMetricsCollector } from '../cluster-metrics';

const registry = new Registry();
new Counter({ name: 'relais_test_hits_total', help: 'Hits counted by one process of the test cluster.', registers: [registry] }).inc(Number(process.env.HITS));
const collect = clusterMetricsCollector(registry);
process.on('message', (message) => {
  if (message !== 'scrape') return;
  collect().then(
    (body) => process.send!({ body }),
    (error: Error) => process.send!({ error: error.message }),
  );
});
process.send!('ready');
