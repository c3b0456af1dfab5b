import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/** Process kinds that expose metrics; each gets one registry with Node's default metrics. */
export type ProcessKind = 'web' | 'worker';

/**
 * One value per process, shared by every copy of this module: the web server loads it through tsx while Next.js
 * bundles its own copy for the route handlers, and both must count into the same registry.
 */
export function processSingleton<T>(name: string, create: () => T): T {
  const key = Symbol.for(`relais.observability.${name}`);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  holder[key] ??= create();
  return holder[key];
}

/** A registry with the process's default metrics (CPU, memory, event loop lag, GC), labelled with its kind. */
export function createProcessRegistry(kind: ProcessKind): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process_kind: kind });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Requests filed per intake channel and tenant: the web files API and portal requests, the worker SMS and e-mail. */
export function requestsFiledCounter(registry: Registry): Counter<'channel' | 'tenant'> {
  return new Counter({
    name: 'relais_requests_filed_total',
    help: 'Requests filed (stored and answered with a receipt), per intake channel and tenant.',
    labelNames: ['channel', 'tenant'],
    registers: [registry],
  });
}
