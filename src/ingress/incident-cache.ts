/**
 * What one ingress process knows about open incidents, so that a storm of duplicates costs no
 * Temporal call (issue 15, item 3). Keyed by alert fingerprint; each entry names the run that held
 * the incident when Temporal last told us, and the SIEM alert ids that run is known to have
 * received. The entry is a hint, never the truth: it expires after `ttlMs`, is dropped when a
 * signal to its run finds the run closed, and the oldest entries go first when the cache is full.
 * Temporal's workflow-id uniqueness and the workflow's own alert-id dedup stay the backstop.
 */

/** The run an open incident lives in, as Temporal reported it. */
export interface OpenIncident {
  workflowId: string;
  runId: string;
  incidentId: string;
}

/** Bounds of an {@link IncidentCache}. */
export interface IncidentCacheOptions {
  /** Most incidents remembered; the least recently confirmed is dropped first. @default 10000 */
  maxIncidents?: number;
  /** How long an entry is trusted after Temporal confirmed it. @default 60000 */
  ttlMs?: number;
  /** Most alert ids remembered per incident (oldest forgotten first). @default 20000 */
  maxAlertIdsPerIncident?: number;
}

interface Entry extends OpenIncident {
  expiresAt: number;
  seen: Set<string>;
}

/** The key the workflow dedups alerts on: source and SIEM alert id. */
export function alertKey(alert: { source: string; alertId: string }): string {
  return `${alert.source}\u0000${alert.alertId}`;
}

/** Bounded, expiring map fingerprint → open incident run and the alert ids it already holds. */
export class IncidentCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxIncidents: number;
  private readonly ttlMs: number;
  private readonly maxAlertIds: number;

  constructor(options: IncidentCacheOptions = {}) {
    this.maxIncidents = Math.max(1, options.maxIncidents ?? 10_000);
    this.ttlMs = Math.max(0, options.ttlMs ?? 60_000);
    this.maxAlertIds = Math.max(1, options.maxAlertIdsPerIncident ?? 20_000);
  }

  /** Number of incidents held (expired ones included until they are next looked at). */
  get size(): number {
    return this.entries.size;
  }

  /** The open incident of a fingerprint, if known and not expired. */
  get(fingerprint: string, now: number): OpenIncident | undefined {
    const entry = this.entries.get(fingerprint);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(fingerprint);
      return undefined;
    }
    return { workflowId: entry.workflowId, runId: entry.runId, incidentId: entry.incidentId };
  }

  /** True when the fingerprint's known open run already received this alert. */
  hasSeen(fingerprint: string, key: string, now: number): boolean {
    return this.get(fingerprint, now) !== undefined && (this.entries.get(fingerprint)?.seen.has(key) ?? false);
  }

  /**
   * Records what Temporal just confirmed: `incident` is open and holds the alerts `keys`. A
   * different run than the one remembered (a new generation) replaces the entry and its alert ids.
   */
  confirm(fingerprint: string, incident: OpenIncident, keys: readonly string[], now: number): void {
    let entry = this.entries.get(fingerprint);
    if (entry === undefined || entry.runId !== incident.runId) {
      entry = { ...incident, expiresAt: 0, seen: new Set() };
    }
    // Re-inserted so the map's order is the order of confirmation: the oldest is evicted first.
    this.entries.delete(fingerprint);
    this.entries.set(fingerprint, entry);
    entry.expiresAt = now + this.ttlMs;
    for (const key of keys) {
      entry.seen.add(key);
      if (entry.seen.size > this.maxAlertIds) entry.seen.delete(entry.seen.values().next().value as string);
    }
    while (this.entries.size > this.maxIncidents) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Forgets a fingerprint (its run closed); only if it still names `runId`, when given. */
  forget(fingerprint: string, runId?: string): void {
    const entry = this.entries.get(fingerprint);
    if (entry !== undefined && (runId === undefined || entry.runId === runId)) this.entries.delete(fingerprint);
  }
}
