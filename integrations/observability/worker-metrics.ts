import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram } from 'prom-client';
import type { IntakeObserver } from '@/domain/intake/observer';
import { createProcessRegistry, processSingleton, requestsFiledCounter } from './registry';

/** The backlog of one task queue and type, as Temporal estimates it. */
export interface TaskQueueBacklog {
  taskQueue: string;
  taskType: 'workflow' | 'activity';
  count: number;
  ageSeconds: number;
}

/** Asks Temporal for the backlogs of this worker's task queue (at each scrape). */
export type BacklogProbe = () => Promise<TaskQueueBacklog[]>;

/** The metrics of a worker process (the Temporal SDK's own come beside them, see temporal/telemetry.ts). */
export interface WorkerMetrics {
  registry: Registry;
  /** Seconds an activity attempt ran, per activity type and outcome (completed, failed). */
  activityDuration: Histogram<'activity_type' | 'outcome'>;
  activityFailures: Counter<'activity_type'>;
  notificationsSent: Counter<'channel' | 'template'>;
  notificationsFailed: Counter<'channel' | 'template'>;
  /** Reminders and escalations e-mailed to staff (one per recipient). */
  remindersSent: Counter;
  smsSent: Counter;
  smsSegmentsSent: Counter;
  /** Seconds from an SMS's submission to the receipt that decided its final state. */
  smsReceiptLag: Histogram<'status'>;
  requestsFiled: Counter<'channel' | 'tenant'>;
  intakeObserver: IntakeObserver;
  /** Tasks waiting in the task queue, and the age of the oldest, per task type: read from Temporal when scraped. */
  taskQueueBacklog: Gauge<'task_queue' | 'task_type'>;
  taskQueueBacklogAge: Gauge<'task_queue' | 'task_type'>;
  /** Where the backlog gauges read from; without a probe they stay empty. */
  setBacklogProbe(probe: BacklogProbe): void;
}

/** The worker process's metrics, created on first use. */
export function workerMetrics(): WorkerMetrics {
  return processSingleton('worker-metrics', () => {
    const registry = createProcessRegistry('worker');
    const registers = [registry];
    const requestsFiled = requestsFiledCounter(registry);
    let probe: BacklogProbe | undefined;
    // Both gauges are filled from one round of calls per scrape.
    let reading: { at: number; rows: Promise<TaskQueueBacklog[]> } | undefined;
    const backlogs = (): Promise<TaskQueueBacklog[]> => {
      if (!probe) return Promise.resolve([]);
      if (!reading || Date.now() - reading.at > 1_000) reading = { at: Date.now(), rows: probe().catch(() => []) };
      return reading.rows;
    };
    const backlogGauge = (name: string, help: string, value: (row: TaskQueueBacklog) => number) =>
      new PromGauge({
        name,
        help,
        labelNames: ['task_queue', 'task_type'],
        registers,
        async collect() {
          const rows = await backlogs();
          this.reset();
          for (const row of rows) this.set({ task_queue: row.taskQueue, task_type: row.taskType }, value(row));
        },
      });
    return {
      registry,
      activityDuration: new PromHistogram({
        name: 'relais_activity_duration_seconds',
        help: 'Time an activity attempt ran, per activity type and outcome.',
        labelNames: ['activity_type', 'outcome'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers,
      }),
      activityFailures: new PromCounter({
        name: 'relais_activity_failures_total',
        help: 'Activity attempts that ended in an error, per activity type.',
        labelNames: ['activity_type'],
        registers,
      }),
      notificationsSent: new PromCounter({
        name: 'relais_notifications_sent_total',
        help: 'Notifications handed to the mail server or the SMSC, per channel and template (repeats of a sent key excluded).',
        labelNames: ['channel', 'template'],
        registers,
      }),
      notificationsFailed: new PromCounter({
        name: 'relais_notifications_failed_total',
        help: 'Notification attempts that failed, per channel and template (the activity retries them).',
        labelNames: ['channel', 'template'],
        registers,
      }),
      remindersSent: new PromCounter({ name: 'relais_reminders_sent_total', help: 'Deadline reminders and escalations e-mailed to staff, one per recipient.', registers }),
      smsSent: new PromCounter({ name: 'relais_sms_sent_total', help: 'SMS accepted by the SMSC (every segment).', registers }),
      smsSegmentsSent: new PromCounter({ name: 'relais_sms_segments_sent_total', help: 'SMS segments accepted by the SMSC.', registers }),
      smsReceiptLag: new PromHistogram({
        name: 'relais_sms_receipt_lag_seconds',
        help: "Time from an SMS's submission to the delivery receipt that decided its final state, per final status.",
        labelNames: ['status'],
        buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600],
        registers,
      }),
      requestsFiled,
      intakeObserver: { requestFiled: ({ tenantSlug, channel }) => requestsFiled.inc({ channel, tenant: tenantSlug }) },
      taskQueueBacklog: backlogGauge('relais_task_queue_backlog', 'Tasks waiting in the task queue (Temporal\'s estimate), per task type.', (row) => row.count),
      taskQueueBacklogAge: backlogGauge('relais_task_queue_backlog_age_seconds', 'Age of the oldest task waiting in the task queue, per task type.', (row) => row.ageSeconds),
      setBacklogProbe: (next) => {
        probe = next;
      },
    };
  });
}

/**
 * The Temporal SDK metrics the Grafana dashboard reads (the runtime's Prometheus exporter, histograms in seconds and
 * counters without a `_total` suffix); the worker metrics test checks that a real worker exposes every one.
 */
export const TEMPORAL_SDK_METRICS = [
  'temporal_worker_task_slots_available',
  'temporal_worker_task_slots_used',
  'temporal_num_pollers',
  'temporal_activity_execution_latency',
  'temporal_activity_schedule_to_start_latency',
  'temporal_activity_execution_failed',
  'temporal_workflow_task_schedule_to_start_latency',
  'temporal_workflow_task_execution_latency',
  'temporal_workflow_endtoend_latency',
  'temporal_sticky_cache_size',
  'temporal_workflow_failed',
] as const;
