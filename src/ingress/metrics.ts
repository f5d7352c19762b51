import { Counter, Histogram, Registry } from 'prom-client';

/** Outcome label of `breachline_ingress_alerts_total`. */
export type AlertOutcome = 'opened' | 'duplicate' | 'rejected' | 'unavailable' | 'error' | 'queued';

/** breachline's Prometheus metrics, on a registry of their own (never prom-client's global one). */
export interface BreachlineMetrics {
  registry: Registry;
  /** Alerts received, by source and outcome. */
  alerts: Counter<'source' | 'outcome' | 'code'>;
  /** Incidents opened (a new workflow run started). */
  incidentsOpened: Counter<'source'>;
  /** Alerts that joined an open incident. */
  duplicates: Counter<'source'>;
  /** HTTP request latency, by route and status. */
  requestDuration: Histogram<'route' | 'method' | 'status'>;
  /** Runbook step duration; observed by the worker, defined here so one registry serves both. */
  stepDuration: Histogram<'action' | 'outcome' | 'mode'>;
  // Alert storms (issue 15, item 3).
  /** Temporal RPCs made for alerts, by call (`describe`, `signal_with_start`, `signal_batch`). */
  temporalCalls: Counter<'call'>;
  /** Alerts answered from the open-incident cache without any Temporal call or append. */
  coalesced: Counter<'source'>;
  /** Alerts appended to the durable alerts topic before their 202. */
  alertsLogged: Counter<'source'>;
  /** Alert records the correlator handed to Temporal, by outcome (`accepted`, `retried`, `refused`). */
  correlated: Counter<'outcome'>;
  /** Produce requests of the alerts topic, from leaving to the brokers' acks=all acknowledgement. */
  alertAppendDuration: Histogram<never>;
}

/** Creates a fresh set of metrics on a new registry (tests and benches use their own). */
export function createMetrics(): BreachlineMetrics {
  const registry = new Registry();
  return {
    registry,
    alerts: new Counter({
      name: 'breachline_ingress_alerts_total',
      help: 'SIEM alerts received, by source and outcome (opened, duplicate, queued, rejected, unavailable, error); code is the refusal code',
      labelNames: ['source', 'outcome', 'code'] as const,
      registers: [registry],
    }),
    incidentsOpened: new Counter({
      name: 'breachline_incidents_opened_total',
      help: 'Incidents opened by ingress (a new incident workflow run was started)',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'breachline_ingress_duplicate_alerts_total',
      help: 'Alerts that joined an incident already open for their fingerprint',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'breachline_ingress_request_duration_seconds',
      help: 'Ingress HTTP request latency, from first byte to response',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'breachline_step_duration_seconds',
      help: 'Duration of runbook steps, by action, outcome and run mode',
      labelNames: ['action', 'outcome', 'mode'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    temporalCalls: new Counter({
      name: 'breachline_ingress_temporal_calls_total',
      help: 'Temporal RPCs the ingress (or its correlator) made for alerts, by call',
      labelNames: ['call'] as const,
      registers: [registry],
    }),
    coalesced: new Counter({
      name: 'breachline_ingress_coalesced_alerts_total',
      help: 'Alerts whose id the open incident already holds, answered without a Temporal call',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    alertsLogged: new Counter({
      name: 'breachline_ingress_alerts_logged_total',
      help: 'Alerts appended to the durable alerts topic (acks=all) before they were answered 202',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    correlated: new Counter({
      name: 'breachline_correlator_records_total',
      help: 'Alert records the correlator handed to Temporal, by outcome (accepted, retried, refused)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    alertAppendDuration: new Histogram({
      name: 'breachline_ingress_alert_append_seconds',
      help: 'Produce requests of the durable alerts topic, from leaving the ingress to the acks=all acknowledgement; the part of an alert\'s 202 that Kafka decides',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

let shared: BreachlineMetrics | undefined;

/** The process-wide metrics the main command's ingress and worker share (created on first use). */
export function sharedMetrics(): BreachlineMetrics {
  shared ??= createMetrics();
  return shared;
}
