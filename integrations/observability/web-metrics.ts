import type { Counter, Histogram, Registry } from 'prom-client';
import { Counter as PromCounter, Histogram as PromHistogram } from 'prom-client';
import type { IntakeObserver } from '@/domain/intake/observer';
import { createProcessRegistry, processSingleton, requestsFiledCounter } from './registry';

/** The metrics of a web process. */
export interface WebMetrics {
  registry: Registry;
  /** Seconds from the request's arrival to the end of its response, per method and route template. */
  httpDuration: Histogram<'method' | 'route'>;
  /** Responses per method, route template and status class (2xx … 5xx). */
  httpResponses: Counter<'method' | 'route' | 'status_class'>;
  requestsFiled: Counter<'channel' | 'tenant'>;
  /** Counts each filed request; handed to the intake service. */
  intakeObserver: IntakeObserver;
}

/** The web process's metrics, created on first use (once per process, whichever copy of this module asks). */
export function webMetrics(): WebMetrics {
  return processSingleton('web-metrics', () => {
    const registry = createProcessRegistry('web');
    const requestsFiled = requestsFiledCounter(registry);
    return {
      registry,
      httpDuration: new PromHistogram({
        name: 'relais_http_request_duration_seconds',
        help: 'Time from a request to the end of its response, per method and route template.',
        labelNames: ['method', 'route'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
      httpResponses: new PromCounter({
        name: 'relais_http_responses_total',
        help: 'HTTP responses per method, route template and status class.',
        labelNames: ['method', 'route', 'status_class'],
        registers: [registry],
      }),
      requestsFiled,
      intakeObserver: { requestFiled: ({ tenantSlug, channel }) => requestsFiled.inc({ channel, tenant: tenantSlug }) },
    };
  });
}
