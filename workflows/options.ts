import type { ActivityOptions } from '@temporalio/workflow';
import type { RetryPreset } from '../src/domain/action-registry';

/**
 * Named activity option presets for the incident playbook. Each says why it is shaped the way it
 * is, so the playbook never carries literals. A step's own `timeout` from the runbook overrides
 * `startToCloseTimeout` (see `withTimeout`).
 */

/**
 * Every activity heartbeats while it runs (`activities/heartbeat.ts`), so a lost worker is noticed
 * after this long, whatever the step's own timeout: a crash costs seconds, not minutes.
 */
export const LOST_WORKER_AFTER = '10s';

/** Control-plane changes (ACLs, SCRAM, Vault): seconds each, idempotent, so retry briskly and often. */
export const fastControlPlane: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: LOST_WORKER_AFTER,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
};

/** Forensics and evidence replay: long, resumable from a heartbeat checkpoint, so a lost worker is noticed in seconds. */
export const longEvidenceJob: ActivityOptions = {
  startToCloseTimeout: '24h',
  heartbeatTimeout: LOST_WORKER_AFTER,
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 20 },
};

/** Forensics: admin calls and an access-record scan, minutes at most; bounded by the step timeout. */
export const forensicsJob: ActivityOptions = {
  startToCloseTimeout: '30m',
  heartbeatTimeout: LOST_WORKER_AFTER,
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
};

/** Waiting for a person: how long an approval may stay unanswered before it counts as refused. */
export const humanWait = { approvalTimeout: '24h' } as const;

/** Chat messages: useful but never worth delaying the response for, so few, short attempts. */
export const bestEffortNotify: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 3 },
};

/** Audit appends: the record of what happened must land, so retry for as long as the step may take. */
export const auditAppend: ActivityOptions = {
  startToCloseTimeout: '1m',
  heartbeatTimeout: LOST_WORKER_AFTER,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 50 },
};

/** The presets an action definition names (`preset` in the registry; generic actions: `control-plane`). */
export const PRESETS: Readonly<Record<RetryPreset, ActivityOptions>> = {
  'control-plane': fastControlPlane,
  forensics: forensicsJob,
  evidence: longEvidenceJob,
};

/** A preset with the step's own timeout (milliseconds, from the planned runbook step) applied. */
export function withTimeout(preset: ActivityOptions, timeoutMs: number): ActivityOptions {
  return { ...preset, startToCloseTimeout: timeoutMs };
}
