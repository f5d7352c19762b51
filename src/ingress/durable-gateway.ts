import type { AlertLog } from './alert-log';
import type { CoalescingGateway } from './coalescer';
import type { IncidentGateway } from './incidents';

/**
 * The request path of durable mode (issue 15, item 3): an alert id the known open run already
 * holds is answered at once; anything else is appended to the alerts topic and answered once the
 * brokers acknowledged it, whatever Temporal's state. The correlator does the rest. Readiness is
 * the alerts topic's, not Temporal's: while Kafka takes alerts, nothing is refused.
 */
export function createDurableGateway(log: AlertLog, coalescer: CoalescingGateway): IncidentGateway {
  return {
    async accept(alert) {
      const known = coalescer.known(alert.fingerprint);
      if (known !== undefined && coalescer.alreadyHeld(alert)) return { incidentId: known.incidentId, runId: known.runId, duplicate: true };
      await log.append(alert);
      return { incidentId: known?.incidentId, runId: known?.runId, duplicate: known !== undefined, queued: true };
    },
    ping: () => log.ping(),
  };
}
