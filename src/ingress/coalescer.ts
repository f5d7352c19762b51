import type { Alert } from '../domain/alert';
import { incidentWorkflowId } from '../../workflows/api';
import { IngressError } from './errors';
import { alertKey, IncidentCache, type OpenIncident } from './incident-cache';
import type { BatchSignaller, IncidentAcceptance, IncidentGateway } from './incidents';
import type { RunbookChoice } from './runbooks';

/** Options of {@link createCoalescingGateway}. */
export interface CoalescingOptions {
  /** Delivers a batch to a known run (see `createTemporalBatchSignaller`). */
  signalBatch: BatchSignaller;
  /** @default a cache with its own defaults */
  cache?: IncidentCache;
  /** How long new alerts of one open incident are gathered before their one signal. @default 10 */
  batchIntervalMs?: number;
  /** Most alerts in one signal (a full batch goes at once). @default 200 */
  maxBatch?: number;
  /** Epoch milliseconds. @default Date.now */
  clock?: () => number;
  /** Told of every alert answered from the cache alone. */
  onCoalesced?: (alert: Alert) => void;
}

/** A gateway that coalesces duplicates; `drain()` sends what is gathered and waits for it. */
export interface CoalescingGateway extends IncidentGateway {
  readonly cache: IncidentCache;
  /** The open incident this process knows for a fingerprint, if any. */
  known(fingerprint: string): OpenIncident | undefined;
  /** True when the known open run of the alert's fingerprint already holds this alert id. */
  alreadyHeld(alert: Alert): boolean;
  /** Sends every gathered batch now and waits for them all. */
  drain(): Promise<void>;
}

interface Batch {
  incident: OpenIncident;
  fingerprint: string;
  alerts: Map<string, Alert>;
  waiters: Array<{ resolve: (outcome: 'delivered' | 'closed') => void; reject: (error: unknown) => void }>;
  timer?: NodeJS.Timeout;
}

/**
 * Wraps the Temporal gateway so that a storm costs Temporal one call per incident per interval,
 * not one per alert (issue 15, item 3). For a fingerprint whose open run this process knows:
 * an alert id the run already holds is answered at once; a new one joins the run's pending batch
 * and resolves when the batch's single `alertBatch` signal was accepted, so nothing is answered
 * before Temporal holds it. A fingerprint not known goes through the wrapped gateway (describe +
 * signalWithStart), one request at a time per fingerprint: the alerts that arrive meanwhile wait for
 * it and then join a batch. A batch whose run has closed is re-sent the ordinary way, which opens
 * the next generation; no alert is dropped on that path.
 */
export function createCoalescingGateway(inner: IncidentGateway, options: CoalescingOptions): CoalescingGateway {
  const cache = options.cache ?? new IncidentCache();
  const clock = options.clock ?? Date.now;
  const intervalMs = Math.max(0, options.batchIntervalMs ?? 10);
  const maxBatch = Math.max(1, options.maxBatch ?? 200);
  const batches = new Map<string, Batch>();
  const inflightStarts = new Map<string, Promise<IncidentAcceptance>>();
  const sending = new Set<Promise<void>>();

  const send = (batch: Batch): void => {
    if (batches.get(batch.fingerprint) === batch) batches.delete(batch.fingerprint);
    if (batch.timer !== undefined) clearTimeout(batch.timer);
    const alerts = [...batch.alerts.values()];
    const done = options
      .signalBatch(batch.incident, alerts)
      .then(
        (outcome) => {
          if (outcome === 'delivered') cache.confirm(batch.fingerprint, batch.incident, [...batch.alerts.keys()], clock());
          else cache.forget(batch.fingerprint, batch.incident.runId);
          for (const w of batch.waiters) w.resolve(outcome);
        },
        (error: unknown) => {
          for (const w of batch.waiters) w.reject(error);
        },
      )
      .finally(() => sending.delete(done));
    sending.add(done);
  };

  const join = (fingerprint: string, incident: OpenIncident, alert: Alert): Promise<'delivered' | 'closed'> =>
    new Promise((resolve, reject) => {
      let batch = batches.get(fingerprint);
      if (batch !== undefined && batch.incident.runId !== incident.runId) {
        send(batch);
        batch = undefined;
      }
      if (batch === undefined) {
        const fresh: Batch = { incident, fingerprint, alerts: new Map(), waiters: [] };
        fresh.timer = setTimeout(() => send(fresh), intervalMs);
        batches.set(fingerprint, fresh);
        batch = fresh;
      }
      batch.alerts.set(alertKey(alert), alert);
      batch.waiters.push({ resolve, reject });
      if (batch.alerts.size >= maxBatch) send(batch);
    });

  const start = (alert: Alert, choice: RunbookChoice): Promise<IncidentAcceptance> => {
    const fingerprint = alert.fingerprint;
    const started = inner.accept(alert, choice).then((accepted) => {
      const { runId, incidentId } = accepted;
      if (runId !== undefined && incidentId !== undefined) cache.confirm(fingerprint, { workflowId: incidentWorkflowId(fingerprint), runId, incidentId }, [alertKey(alert)], clock());
      return accepted;
    });
    inflightStarts.set(fingerprint, started);
    const clear = (): void => {
      if (inflightStarts.get(fingerprint) === started) inflightStarts.delete(fingerprint);
    };
    started.then(clear, clear);
    return started;
  };

  const accept = async (alert: Alert, choice: RunbookChoice): Promise<IncidentAcceptance> => {
    const fingerprint = alert.fingerprint;
    // Bounded: each pass either answers or learns something new (a start finished, a run closed).
    for (let pass = 0; pass < 4; pass++) {
      const open = cache.get(fingerprint, clock());
      if (open !== undefined) {
        if (cache.hasSeen(fingerprint, alertKey(alert), clock())) {
          options.onCoalesced?.(alert);
          return { incidentId: open.incidentId, runId: open.runId, duplicate: true };
        }
        if ((await join(fingerprint, open, alert)) === 'delivered') return { incidentId: open.incidentId, runId: open.runId, duplicate: true };
        continue;
      }
      const pending = inflightStarts.get(fingerprint);
      if (pending === undefined) return start(alert, choice);
      try {
        await pending;
      } catch (error) {
        // The same Temporal just failed for this fingerprint: answer alike rather than queue behind it.
        if (error instanceof IngressError && error.status === 503) throw error;
      }
    }
    return inner.accept(alert, choice);
  };

  return {
    cache,
    accept,
    ping: () => inner.ping(),
    known: (fingerprint) => cache.get(fingerprint, clock()),
    alreadyHeld: (alert) => cache.hasSeen(alert.fingerprint, alertKey(alert), clock()),
    async drain() {
      for (const batch of [...batches.values()]) send(batch);
      await Promise.allSettled([...sending]);
    },
  };
}
