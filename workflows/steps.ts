import { ActivityFailure, ApplicationFailure, isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import { mergeDistinct, type DistinctCounterSnapshot } from '../src/domain/distinct-count';
import type { EventDataMap, OffsetRange, PlannedChange } from '../src/domain/events';
import { planSteps, type AnyPlannedStep, type PlannedStep } from '../src/domain/runbook';
import type { CarriedCompensation, EventDraft, StepOutput } from '../src/domain/step-contract';
import { planSubjectScan } from '../src/domain/subject-scan';
import { controlPlane, evidenceActivities, nowIso, stepActivities, stepInput, WORKFLOW_ACTOR, type Findings, type PlaybookActivities, type Run } from './context';
import { longEvidenceJob, withTimeout } from './options';
import { genericCompensation } from './generic-step';
import type { Compensation } from './saga';

type StepOf<A extends PlannedStep['action']> = Extract<PlannedStep, { action: A }>;

/** One preserve-evidence job: a partition of a topic and the ranges to replay from it. */
export interface EvidenceJob {
  sourceTopic: string;
  partition: number;
  ranges: OffsetRange[];
}

/** The partitions with something to preserve, from the forensic findings. */
export function evidenceJobs(run: Run): EvidenceJob[] {
  const jobs: EvidenceJob[] = [];
  for (const topic of run.findings?.topics ?? []) {
    for (const p of topic.partitions) {
      if (p.ranges.length > 0) jobs.push({ sourceTopic: topic.topic, partition: p.partition, ranges: p.ranges });
    }
  }
  return jobs;
}

/** Runs `work` over `items` with at most `limit` in flight (deterministic: workflow promises). */
export async function boundedAll<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(lanes);
}

/** `contain`: revoke access; the undo restores exactly the removed bindings. */
export async function contain(run: Run, step: StepOf<'contain'>): Promise<StepOutput> {
  // contain-principals-v1 (leaked-token playbook): `principals` contains each principal in turn,
  // one activity and one saga entry each. Only steps with `principals` take this path, and no
  // 0.2.0 runbook has it, so the marker is recorded by new incidents only.
  const principals = step.params.principals;
  if (principals !== undefined && patched('contain-principals-v1')) {
    const events: EventDraft[] = [];
    for (const principal of principals) {
      const input = stepInput(run, step);
      const out = await containOne(run, step, { ...input, stepKey: `${input.stepKey}/${principal}`, params: { ...step.params, principal } });
      events.push(...out.events);
    }
    return { events };
  }
  return containOne(run, step, stepInput(run, step));
}

async function containOne(run: Run, step: StepOf<'contain'>, input: ReturnType<typeof stepInput<StepOf<'contain'>>>): Promise<StepOutput> {
  const out = await stepActivities(step).contain(input);
  const revoked = out.result;
  if (step.compensate && revoked !== undefined && run.input.mode !== 'dry-run') {
    run.saga.push(compensation(run, { kind: 'restore-access', stepId: step.id, description: `restore the access of ${revoked.principal}`, revoked }));
  }
  return out;
}

/**
 * The undo an entry of the saga runs, rebuilt from its data: the same whether the step ran in
 * this run or in one this run continues (continue-as-new hands compensations on as data).
 */
export function compensation(run: Run, carry: CarriedCompensation): Compensation {
  const base = { stepId: carry.stepId, description: carry.description, carry };
  if (carry.kind === 'generic') return genericCompensation(run, carry);
  if (carry.kind === 'restore-access') {
    const id = { incidentId: run.input.incidentId, stepId: carry.stepId, stepKey: `${run.input.incidentId}/${carry.stepId}` };
    return { ...base, action: 'contain', undo: () => controlPlane().restoreAccess({ ...id, mode: run.input.mode, revoked: carry.revoked }) };
  }
  return { ...base, action: 'break-circuits', undo: () => closeBreakers(run, carry.stepId, carry.approvalId) };
}

/** `rotate-credentials`. */
export async function rotate(run: Run, step: StepOf<'rotate-credentials'>): Promise<StepOutput> {
  return stepActivities(step).rotateCredentials(stepInput(run, step));
}

/**
 * `break-circuits`: open the named breakers (those not already opened from Slack); the undo
 * closes whichever of them are still open, under the step's own approval.
 */
export async function breakCircuits(run: Run, step: StepOf<'break-circuits'>, approvalId: string | undefined): Promise<StepOutput> {
  return run.breakerLock.run(async () => {
    const names = step.params.breakers.filter((name) => run.ledger.state?.breakers[name]?.state !== 'open');
    const breakers = Object.fromEntries(names.flatMap((name) => {
      const rule = run.input.runbook.breakers[name];
      return rule === undefined ? [] : [[name, rule] as const];
    }));
    if (names.length === 0) return { events: [], result: [] };
    const out = await stepActivities(step).openCircuits({ ...stepInput(run, step), params: { ...step.params, breakers: names }, breakers });
    const opened = out.result ?? [];
    run.opened[step.id] = [...(run.opened[step.id] ?? []), ...opened];
    if (step.compensate && approvalId !== undefined && opened.length > 0 && run.input.mode !== 'dry-run') {
      run.saga.push(compensation(run, { kind: 'close-breakers', stepId: step.id, description: `close breakers ${opened.map((o) => o.breaker).join(', ')}`, approvalId }));
    }
    return out;
  });
}

/**
 * Closes the breakers a step opened that are still open (or only `breaker`), restoring the
 * downstream principals' access. Nothing left open: no activity, no event.
 */
export function closeBreakers(run: Run, stepId: string, approvalId: string, breaker?: string): Promise<StepOutput> {
  const opened = (run.opened[stepId] ?? []).filter(
    (o) => run.ledger.state?.breakers[o.breaker]?.state === 'open' && (breaker === undefined || o.breaker === breaker),
  );
  if (opened.length === 0) return Promise.resolve({ events: [] });
  const step = planSteps(run.input.runbook).find((s) => s.id === stepId);
  const controlTopic = step !== undefined && step.kind !== 'generic' && step.action === 'break-circuits' ? step.params.controlTopic : undefined;
  const key = `${run.input.incidentId}/${stepId}`;
  return controlPlane().closeCircuits({
    incidentId: run.input.incidentId,
    stepId,
    stepKey: breaker === undefined ? key : `${key}/breaker/${breaker}/${run.ledger.state?.lastSeq ?? 0}`,
    mode: run.input.mode,
    opened,
    approvalId,
    ...(controlTopic !== undefined ? { controlTopic } : {}),
  });
}

/** `forensics`: legal hold and the window; keeps the findings for evidence and the clocks. */
export async function forensics(run: Run, step: StepOf<'forensics'>): Promise<StepOutput> {
  // Since forensics-fanout-v1 the data subjects are counted by parallel, checkpointed chunk
  // activities merged here, not by one unheartbeated stream inside `investigate` (issue 12).
  // Incidents started before keep the single activity so their histories replay.
  // forensics-suspected-since-v1 (issue 12): the alert's suspected start goes to the activity so
  // access sources are read from then on; histories started before asked without it.
  const since = run.input.alert.suspectedSince;
  const sinceInput = since !== undefined && patched('forensics-suspected-since-v1') ? { suspectedSince: since } : {};
  if (run.input.mode === 'dry-run' || !patched('forensics-fanout-v1')) {
    const out = await stepActivities(step).investigate({ ...stepInput(run, step), ...sinceInput });
    if (out.result !== undefined) run.findings = out.result;
    return out;
  }
  const out = await stepActivities(step).investigate({ ...stepInput(run, step), ...sinceInput, dataSubjectScan: 'fan-out' });
  if (out.result === undefined) return out;
  run.findings = out.result;
  const counts = await scanDataSubjects(run, step, out.result);
  const events = out.events.map((e): EventDraft => {
    if (e.type !== 'ForensicWindowEstablished') return e;
    const c = counts.get(e.data.topic);
    return c === undefined ? e : { ...e, data: { ...e.data, dataSubjects: c.dataSubjects, piiCategories: c.piiCategories } };
  });
  return { ...out, events };
}

/** Chunks of the data-subject scan in flight at once; more workers on the queue scan more of them. */
const SUBJECT_SCAN_PARALLELISM = 16;

/**
 * The data-subject fan-out: the windows cut into chunks (`planSubjectScan`), one heartbeating,
 * checkpointed activity per chunk, their sketches merged per topic (`mergeDistinct`): exact up to
 * the runbook's threshold, an estimate with its standard error above.
 */
async function scanDataSubjects(
  run: Run,
  step: StepOf<'forensics'>,
  findings: Findings,
): Promise<Map<string, { dataSubjects: EventDataMap['ForensicWindowEstablished']['dataSubjects']; piiCategories: string[] }>> {
  const subjects = findings.subjects;
  const out = new Map<string, { dataSubjects: EventDataMap['ForensicWindowEstablished']['dataSubjects']; piiCategories: string[] }>();
  if (subjects === undefined) return out;
  const acts = proxyActivities<PlaybookActivities>(withTimeout(longEvidenceJob, step.timeoutMs));
  const { exactCountThreshold, hllPrecision } = step.params;
  const chunks = planSubjectScan(findings.topics);
  const results = new Map<string, Array<{ sketch: DistinctCounterSnapshot; categories: string[] }>>();
  await boundedAll(chunks, SUBJECT_SCAN_PARALLELISM, async (chunk) => {
    const r = await acts.countDataSubjectsInChunk({
      ...idOf(run, step),
      stepKey: `${run.input.incidentId}/${step.id}/subjects/${chunk.id}`,
      topic: chunk.topic,
      spans: chunk.spans,
      fields: subjects.fields,
      subjectKey: subjects.subjectKey,
      exactThreshold: exactCountThreshold,
      precision: hllPrecision,
    });
    results.set(chunk.topic, [...(results.get(chunk.topic) ?? []), r]);
  });
  for (const t of findings.topics) {
    const parts = results.get(t.topic) ?? [];
    const merged = mergeDistinct(parts.map((p) => p.sketch), { exactThreshold: exactCountThreshold, precision: hllPrecision });
    out.set(t.topic, {
      dataSubjects: { count: merged.count, method: merged.method, relativeStandardError: merged.relativeStandardError },
      piiCategories: [...new Set(parts.flatMap((p) => p.categories))].sort(),
    });
  }
  return out;
}

/** The key of one evidence job in {@link Run.evidenceDone}. */
const jobKey = (job: EvidenceJob): string => `${job.sourceTopic}:${job.partition}`;

/** What one finished partition adds to the evidence progress. */
export interface EvidenceJobDone {
  records: string;
  sourceBytes: string;
  evidenceBytes: string;
}

/**
 * The preserve-evidence fan-out: one activity per partition not yet preserved, `parallelism` at a
 * time. A partition that fails after its activity's retries does not stop the others; the step
 * fails at the end naming every such partition, and a retry of the step replays only those.
 * `onStart` hears how many partitions this attempt replays.
 */
export async function preserveEvidence(
  run: Run,
  step: StepOf<'preserve-evidence'>,
  onEvents: (events: EventDraft[], done: EvidenceJobDone) => Promise<void>,
  onStart: (partitions: number) => void = () => undefined,
): Promise<void> {
  // issue 13: binary chunks, a signed manifest per partition, on the evidence task queue. Incidents
  // that started before keep calling the record-format activity, so their histories replay.
  const chunked = patched('evidence-chunks-v1');
  const acts = chunked ? evidenceActivities(run, step) : stepActivities(step);
  const failed: Array<{ job: string; message: string }> = [];
  const jobs = evidenceJobs(run).filter((job) => !run.evidenceDone.has(jobKey(job)));
  onStart(jobs.length);
  await boundedAll(jobs, step.params.parallelism, async (job) => {
    try {
      if (chunked) {
        const out = await acts.preserveEvidenceChunks({ ...stepInput(run, step), ...job });
        const r = out.result;
        await onEvents(out.events, { records: r?.records ?? '0', sourceBytes: r?.sourceBytes ?? '0', evidenceBytes: r?.evidenceBytes ?? '0' });
        run.evidenceDone.add(jobKey(job));
        return;
      }
      const out = await acts.preserveEvidence({ ...stepInput(run, step), ...job });
      await onEvents(out.events, { records: out.result?.records ?? '0', sourceBytes: '0', evidenceBytes: '0' });
      run.evidenceDone.add(jobKey(job));
    } catch (err) {
      if (isCancellation(err)) throw err;
      failed.push({ job: jobKey(job), message: err instanceof ActivityFailure && err.cause !== undefined ? err.cause.message : String(err) });
    }
  });
  if (failed.length > 0) {
    failed.sort((a, b) => (a.job < b.job ? -1 : 1));
    throw ApplicationFailure.nonRetryable(
      `${failed.length} of ${jobs.length} partitions not preserved (${failed.map((f) => f.job).join(', ')}); first: ${failed[0]?.message ?? ''}`,
      'EvidencePartitionsFailed',
    );
  }
}

/** A `StepPlanned` draft for steps the workflow carries out itself (clocks, notify, report, close). */
export function plannedByWorkflow(step: AnyPlannedStep, changes: PlannedChange[]): EventDraft {
  return { type: 'StepPlanned', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, changes } };
}

/** Dry run of preserve-evidence: one planning call per partition, merged into one `StepPlanned`. */
export async function planEvidence(run: Run, step: StepOf<'preserve-evidence'>): Promise<EventDraft> {
  const acts = stepActivities(step);
  const changes: PlannedChange[] = [];
  const jobs = evidenceJobs(run);
  await boundedAll(jobs, step.params.parallelism, async (job) => {
    const out = await acts.preserveEvidence({ ...stepInput(run, step), ...job });
    for (const e of out.events) if (e.type === 'StepPlanned') changes.push(...e.data.changes);
  });
  if (jobs.length === 0) {
    changes.push({ kind: 'topic.produce', target: `TOPIC:${step.params.evidenceTopic}`, description: `replay the forensic window to ${step.params.evidenceTopic}` });
  }
  changes.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  return plannedByWorkflow(step, changes);
}

function idOf(run: Run, step: PlannedStep): { incidentId: string; stepId: string; stepKey: string } {
  return { incidentId: run.input.incidentId, stepId: step.id, stepKey: `${run.input.incidentId}/${step.id}` };
}

/** Art. 34 inputs from every forensic window established so far. */
export function exposure(windows: ReadonlyArray<EventDataMap['ForensicWindowEstablished']>): {
  dataSubjects: number;
  method: 'exact' | 'hll';
  relativeStandardError: number;
  piiCategories: string[];
} {
  const categories = new Set<string>();
  let dataSubjects = 0;
  let hll = false;
  let rse = 0;
  for (const w of windows) {
    // Distinct subjects per topic are summed: an upper bound when topics share subjects.
    dataSubjects += w.dataSubjects.count;
    if (w.dataSubjects.method === 'hll') hll = true;
    rse = Math.max(rse, w.dataSubjects.relativeStandardError);
    for (const c of w.piiCategories) categories.add(c);
  }
  return { dataSubjects, method: hll ? 'hll' : 'exact', relativeStandardError: rse, piiCategories: [...categories].sort() };
}
