/**
 * Incident identity across re-opens (issue 11, design §3 "Identity"). The workflow id
 * `incident-<fingerprint>` is the dedupe slot: while a run is open, every alert of that
 * fingerprint joins it. Each RUN is its own incident with its own audit chain: the first is
 * `incident-<fp>` (generation 1), the next after a close `incident-<fp>.2`, and so on. The run's
 * memo records `{generation, incidentId, previousIncidentId}` so Slack and the CLI can find the run
 * of an incident id, and the ingress can number the next one.
 */

/** What each incident run carries in its Temporal memo. */
export interface IncidentMemo {
  generation: number;
  incidentId: string;
  previousIncidentId?: string;
}

/** The incident id of a generation of a workflow id. */
export function incidentIdForGeneration(workflowId: string, generation: number): string {
  return generation <= 1 ? workflowId : `${workflowId}.${generation}`;
}

/** Splits an incident id into its workflow id and generation; plain ids are generation 1. */
export function parseIncidentId(incidentId: string): { workflowId: string; generation: number } {
  const m = /^(.+)\.(\d+)$/.exec(incidentId);
  if (m?.[1] !== undefined && m[2] !== undefined && Number(m[2]) >= 2) return { workflowId: m[1], generation: Number(m[2]) };
  return { workflowId: incidentId, generation: 1 };
}

/** Reads a memo as written by the ingress; runs started before generations existed count as generation 1. */
export function readIncidentMemo(workflowId: string, memo: Readonly<Record<string, unknown>> | undefined): IncidentMemo {
  const generation = typeof memo?.generation === 'number' && Number.isSafeInteger(memo.generation) && memo.generation >= 1 ? memo.generation : 1;
  const incidentId = typeof memo?.incidentId === 'string' ? memo.incidentId : incidentIdForGeneration(workflowId, generation);
  const previous = typeof memo?.previousIncidentId === 'string' ? { previousIncidentId: memo.previousIncidentId } : {};
  return { generation, incidentId, ...previous };
}

/**
 * The identity a run started now would get. `latest` is the newest run of the workflow id (absent
 * when there is none). If it is still running the alert will join it, but the start input is
 * prepared for the next generation anyway: should the run close between the describe and the
 * signal-with-start, the fresh run must not reuse the closed incident's id.
 */
export function nextIdentity(workflowId: string, latest: IncidentMemo | undefined): IncidentMemo {
  if (latest === undefined) return { generation: 1, incidentId: workflowId };
  const generation = latest.generation + 1;
  return { generation, incidentId: incidentIdForGeneration(workflowId, generation), previousIncidentId: latest.incidentId };
}
