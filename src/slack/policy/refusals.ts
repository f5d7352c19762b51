import type { Logger } from '../../log/logger';
import type { OpsAction, OpsRole } from './roles';

/** A request the policies refused: who, what, on which incident, and when. */
export interface Refusal {
  readonly userId: string;
  readonly role: OpsRole | 'none';
  readonly action: OpsAction;
  /** Workflow id of the incident, when the command named one that exists. */
  readonly workflowId?: string;
  /** What the user typed or clicked, for the audit trail. */
  readonly request: string;
  /** ISO-8601. */
  readonly at: string;
}

/**
 * Where refusals go. A refusal is an audit fact (someone tried something they may not do), so it
 * is recorded, not just answered. Implementations must not throw: a refusal is answered whatever
 * happens to its record.
 */
export interface RefusalRecorder {
  record(refusal: Refusal): Promise<void>;
}

/** Options for {@link createRefusalRecorder}. */
export interface RefusalRecorderOptions {
  readonly logger: Logger;
  /**
   * Also hands the refusal to the incident (e.g. a `refusal` signal) so it becomes a domain event.
   * Called only when the refusal names an incident; a failure is logged, never raised.
   */
  readonly toIncident?: (workflowId: string, refusal: Refusal) => Promise<void>;
}

/** Logs every refusal (warn, structured) and optionally forwards it to its incident. */
export function createRefusalRecorder(options: RefusalRecorderOptions): RefusalRecorder {
  const { logger, toIncident } = options;
  return {
    async record(refusal) {
      logger.warn({ audit: 'policy-refusal', ...refusal }, `refused ${refusal.action} to ${refusal.userId} (${refusal.role})`);
      if (toIncident === undefined || refusal.workflowId === undefined) return;
      try {
        await toIncident(refusal.workflowId, refusal);
      } catch (err) {
        logger.warn({ err, workflowId: refusal.workflowId }, 'could not hand the refusal to its incident');
      }
    },
  };
}
