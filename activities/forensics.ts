import { createHash } from 'node:crypto';
import { asyncLocalStorage } from '@temporalio/activity';
import { checkpoint } from './heartbeat';
import { ApplicationFailure } from '@temporalio/common';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin } from 'kafkajs';
import { DistinctCounter, type DistinctCounterSnapshot, type HashFunction } from '../src/domain/distinct-count';
import type { Actor, IsoTime, PartitionWindow, PlannedChange } from '../src/domain/events';
import { establishWindow, forensicEventData, windowEdges, type CommittedOffset, type ForensicInput, type ForensicWindow } from '../src/domain/forensic-window';
import type { PiiField } from '../src/domain/runbook';
import type { EventDraft, StepInput, StepOutput } from '../src/domain/step-contract';
import { readAccessObservations, type SourceSpec } from '../src/forensics/sources';
import type { PrincipalAccess } from '../src/kafka/access-records';
import { createKafka, type KafkaConnection } from '../src/kafka/client';
import { DirectFetchReader } from '../src/kafka/direct-fetch';
import { readSpans, ReadSpansTimeout, type OffsetSpan } from '../src/kafka/record-sample';
import { firstOffsets, type UnlocatedWrite } from '../src/forensics/write-window';
import { parseJson, readPublishedSchema, valueAt } from './forensics-schema';
import { writeWindow } from './forensics-write';
import { applyLegalHold, describeTopicConfigs, LegalHoldError, retentionOf, type RetentionSettings } from '../src/kafka/topic-config';
import type { Logger } from '../src/log/logger';
import { summariseUnlocated } from '../src/domain/unlocated-writes';
import { accountOf } from '../src/vault/service-accounts';

/**
 * The `forensics` step (design §2, §7): establish exactly what the compromised principal read.
 *
 * 1. Legal hold FIRST: every affected topic's retention is raised (`retention.ms` to the runbook's
 *    value, `retention.bytes` to -1) so no original ages out while the incident runs — an O(1)
 *    config change per topic. The previous values are checkpointed before the change and reported
 *    in `LegalHoldApplied`; a topic already on hold is not changed again.
 * 2. The window, with O(partitions) admin calls and no scanning: log bounds, committed offsets of
 *    the principal's groups (it may never have committed), the broker's fetch access records for
 *    the principal, the timestamp index (where reading began when only a commit says how far it
 *    got), and the record timestamps at the window's edges → `establishWindow` from the domain.
 * 3. Data subjects: the records in the window are streamed once and the distinct values of the
 *    data-subject key counted (exact below the threshold, HyperLogLog above, error stated). Only
 *    hashes are kept; no value reaches a log, an event or a heartbeat. Progress is heartbeated and
 *    a retry resumes from the last checkpoint.
 *
 * One `ForensicWindowEstablished` per topic; the result carries the windows for evidence replay.
 */

/** Dependencies of {@link createForensicsActivities}. */
export interface ForensicsActivityDeps {
  /** Admin connection: DESCRIBE/ALTER_CONFIGS on the topics, DESCRIBE on groups, READ on the topics and the access log. */
  kafka: KafkaConnection;
  logger: Logger;
  now?: () => Date;
  /** @default '__access_log' */
  accessLogTopic?: string;
  /** Where the cluster keeps access records (issue 12). @default the sandbox access log only */
  accessSources?: readonly SourceSpec[];
}

/** The windows read, per topic, for evidence replay. */
export interface ForensicFindings {
  topics: Array<{ topic: string; partitions: PartitionWindow[] }>;
  /** With `dataSubjectScan: 'fan-out'`: what the workflow's scan chunks read (tag paths, never values). */
  subjects?: { fields: PiiField[]; subjectKey: string };
  /** `access: write`: partition → first located offset on the first topic (the step's `firstOffsets` output). */
  firstOffsets?: Record<string, string>;
  /** `access: write`: produces the request log reports without offsets (acks=0, unknown topic ids). */
  unlocatedWrites?: UnlocatedWrite[];
}

/** Input of `investigate`. */
export type InvestigateInput = StepInput<'forensics'> & {
  /** When the compromise is believed to have begun; where reading up to a commit is assumed to start. */
  suspectedSince?: IsoTime;
  /** Stream the window to count data subjects. @default true */
  countDataSubjects?: boolean;
  /**
   * `fan-out`: do not scan here; return the PII tags in the findings so the workflow scans the
   * window in parallel chunks (`countDataSubjectsInChunk`) and fills in the count. @default 'in-activity'
   */
  dataSubjectScan?: 'in-activity' | 'fan-out';
};

/** Heartbeat details: JSON, free of personal data (hashes only) and of secrets. */
export interface ForensicsCheckpoint {
  stepKey: string;
  /** Retention of each topic before the legal hold, recorded before the hold was applied. */
  holds: Record<string, RetentionSettings>;
  /** Data-subject scans in progress or done, per topic. */
  scans: Record<string, ScanCheckpoint>;
}

interface ScanCheckpoint {
  /** Digest of the window the scan belongs to; a different window restarts the scan. */
  window: string;
  /** Per partition, the next offset to read. */
  cursor: Record<number, string>;
  /** Absent while the exact set is too large for a heartbeat; a retry then rescans from the start. */
  counter?: DistinctCounterSnapshot;
  categories: string[];
  records: number;
}

const ACTOR: Actor = { kind: 'system', id: 'activity:investigate' };
const sha256: HashFunction = (value) => createHash('sha256').update(value).digest();
/** Minimum spacing of progress heartbeats (Temporal throttles too; this bounds the serialising). */
const HEARTBEAT_EVERY_MS = 1_000;
/**
 * Largest exact set (16 hex digits per hash) put into a heartbeat: ~0.5 MB, well inside Temporal's
 * payload limits. Larger exact sets are not checkpointed (a sketch always is: 2^precision bytes).
 */
const MAX_CHECKPOINT_HASHES = 30_000;

/** The counter's snapshot when it is small enough to heartbeat. */
function checkpointable(counter: DistinctCounter): DistinctCounterSnapshot | undefined {
  const snapshot = counter.snapshot();
  return snapshot.kind === 'exact' && snapshot.hashes.length > MAX_CHECKPOINT_HASHES ? undefined : snapshot;
}

/** The forensics activities; see the module comment. */
export function createForensicsActivities(deps: ForensicsActivityDeps): {
  investigate(input: InvestigateInput): Promise<StepOutput<ForensicFindings>>;
} {
  return {
    async investigate(input) {
      const logger = deps.logger.child({ incidentId: input.incidentId, step: input.stepId, stepKey: input.stepKey });
      const admin = createKafka(deps.kafka, { clientId: 'breachline-forensics', logger }).admin();
      // One plain-protocol reader for the whole step: one connection and login per broker for the
      // log bounds, the timestamp index and the edge reads (issue 12: fixed costs of the window).
      const reader = new DirectFetchReader(deps.kafka, admin, { logger });
      try {
        await admin.connect();
        return await new Investigation(deps, input, admin, reader, logger).run();
      } catch (err) {
        const failure = toFailure(err);
        logger.warn({ type: failure.type, nonRetryable: failure.nonRetryable, reason: failure.message }, 'forensics failed');
        throw ApplicationFailure.create(failure);
      } finally {
        await reader.close();
        await admin.disconnect();
      }
    },
  };
}

/** Raised when the PII tags cannot be found; retrying will not help. */
class PiiSchemaError extends Error {
  override readonly name = 'PiiSchemaError';
}

function toFailure(err: unknown): { type: string; message: string; nonRetryable: boolean } {
  if (err instanceof ApplicationFailure) return { type: err.type ?? 'ForensicsFailed', message: err.message, nonRetryable: err.nonRetryable === true };
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof LegalHoldError) return { type: 'LegalHoldVerificationFailed', message, nonRetryable: false };
  if (err instanceof ReadSpansTimeout) return { type: 'ForensicsReadTimeout', message, nonRetryable: false };
  if (err instanceof PiiSchemaError) return { type: 'PiiSchemaNotFound', message, nonRetryable: true };
  const kafkaType = err !== null && typeof err === 'object' && 'type' in err ? (err as { type?: unknown }).type : undefined;
  if (kafkaType === 'UNKNOWN_TOPIC_OR_PARTITION') return { type: 'TopicNotFound', message, nonRetryable: true };
  if (kafkaType === 'TOPIC_AUTHORIZATION_FAILED' || kafkaType === 'CLUSTER_AUTHORIZATION_FAILED' || kafkaType === 'GROUP_AUTHORIZATION_FAILED') {
    return { type: 'ForensicsNotAuthorized', message, nonRetryable: true };
  }
  return { type: 'ForensicsFailed', message, nonRetryable: false };
}

/** The previous attempt's checkpoint, when it belongs to this step. */
function resumeFrom(stepKey: string): ForensicsCheckpoint {
  const details: unknown = asyncLocalStorage.getStore()?.info.heartbeatDetails;
  const empty: ForensicsCheckpoint = { stepKey, holds: {}, scans: {} };
  if (details === null || typeof details !== 'object') return empty;
  const d = details as Partial<ForensicsCheckpoint>;
  if (d.stepKey !== stepKey || d.holds === null || typeof d.holds !== 'object') return empty;
  return { stepKey, holds: d.holds, scans: d.scans !== null && typeof d.scans === 'object' ? d.scans : {} };
}

class Investigation {
  private readonly checkpoint: ForensicsCheckpoint;
  private readonly principal: string;
  /** Whose reading the window covers: `params.principals` (leaked-token playbook), else the incident's principal. */
  private readonly principals: string[];
  private lastBeat = 0;
  /** Committed offsets of the principal's groups on every topic of the step, read once (by topic). */
  private committed: Promise<Map<string, CommittedOffset[]>> | undefined;
  /** `access: write`: produces the sources report but cannot place at offsets. */
  private readonly unlocatedWrites: UnlocatedWrite[] = [];
  /** The same, per topic of the step: what goes into that topic's event. */
  private readonly unlocatedByTopic = new Map<string, UnlocatedWrite[]>();

  constructor(
    private readonly deps: ForensicsActivityDeps,
    private readonly input: InvestigateInput,
    private readonly admin: Admin,
    private readonly reader: DirectFetchReader,
    private readonly logger: Logger,
  ) {
    this.checkpoint = resumeFrom(input.stepKey);
    this.principal = asUser(input.principal);
    this.principals = input.params.principals !== undefined ? [...new Set(input.params.principals.map(asUser))] : [this.principal];
  }

  private at(): IsoTime {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }

  private beat(force = false): void {
    const ctx = asyncLocalStorage.getStore();
    if (ctx === undefined) return;
    const now = Date.now();
    if (!force && now - this.lastBeat < HEARTBEAT_EVERY_MS) return;
    this.lastBeat = now;
    checkpoint(this.checkpoint);
  }

  async run(): Promise<StepOutput<ForensicFindings>> {
    const { params } = this.input;
    const topics = [...new Set(params.topics)];
    if (this.input.mode === 'dry-run') return this.plan(topics);

    const events: EventDraft[] = [];
    for (const topic of topics) {
      const outcome = await applyLegalHold(this.admin, topic, params.legalHoldRetentionMs, {
        knownPrevious: this.checkpoint.holds[topic],
        beforeChange: (previous) => {
          this.checkpoint.holds[topic] = previous;
          this.beat(true);
        },
      });
      this.checkpoint.holds[topic] ??= outcome.previous;
      this.logger.info({ topic, previous: outcome.previous, hold: outcome.hold, changed: outcome.changed }, 'legal hold in place');
      events.push({ type: 'LegalHoldApplied', at: this.at(), actor: ACTOR, data: { topic, previousRetentionMs: outcome.previous.retentionMs, retentionMs: outcome.hold.retentionMs } });
    }
    this.beat(true);

    const write = params.access === 'write';
    // Writes leave no consumer group behind: the groups matter only for what was read.
    const [piiFields, access, aclGroups] = await Promise.all([this.piiFields(), write ? Promise.resolve(undefined) : this.access(topics), write ? Promise.resolve([]) : this.groupsInAcls()]);
    const groups = write ? [] : this.groupsOfPrincipal(access, aclGroups);
    const fanOut = this.input.dataSubjectScan === 'fan-out';
    const findings: ForensicFindings = { topics: [], ...(fanOut ? { subjects: { fields: piiFields.fields, subjectKey: piiFields.subjectKey } } : {}) };
    for (const topic of topics) {
      const window = await this.window(topic, access, groups);
      const subjects = this.input.countDataSubjects === false || fanOut ? undefined : await this.countDataSubjects(topic, window, piiFields);
      const data = forensicEventData(
        window,
        subjects === undefined ? { count: 0, method: 'exact', relativeStandardError: 0 } : subjects,
        subjects?.categories ?? [],
      );
      // Writes the log shows without offsets go into the event, so every reader of the window
      // says it is a lower bound (counts, partitions and times only: no client ids or addresses).
      const unlocated = summariseUnlocated(this.unlocatedByTopic.get(topic) ?? [], topic);
      if (unlocated.length > 0) data.unlocatedWrites = unlocated;
      this.logger.info({ topic, totals: window.totals, sources: window.sources, dataSubjects: data.dataSubjects }, 'forensic window established');
      events.push({ type: 'ForensicWindowEstablished', at: this.at(), actor: ACTOR, data });
      findings.topics.push({ topic, partitions: window.partitions });
    }
    if (write) findings.firstOffsets = firstOffsets(findings.topics[0]?.partitions ?? []);
    if (this.unlocatedWrites.length > 0) findings.unlocatedWrites = this.unlocatedWrites;
    return { events, result: findings, ...this.outputsOf(findings) };
  }

  /** Dry run: the retention changes the hold would make, and the window computed read-only. */
  private async plan(topics: string[]): Promise<StepOutput<ForensicFindings>> {
    const hold: RetentionSettings = { retentionMs: String(this.input.params.legalHoldRetentionMs), retentionBytes: '-1' };
    const changes: PlannedChange[] = [];
    for (const configs of await describeTopicConfigs(this.admin, topics)) {
      const now = retentionOf(configs);
      if (now.retentionMs === hold.retentionMs && now.retentionBytes === hold.retentionBytes) continue;
      changes.push({
        kind: 'topic.config',
        target: `TOPIC:${configs.topic}`,
        description: `legal hold: retention.ms ${now.retentionMs} → ${hold.retentionMs}, retention.bytes ${now.retentionBytes} → ${hold.retentionBytes}`,
      });
    }
    const write = this.input.params.access === 'write';
    const [access, aclGroups] = write ? [undefined, []] : await Promise.all([this.access(topics), this.groupsInAcls()]);
    const groups = write ? [] : this.groupsOfPrincipal(access, aclGroups);
    const findings: ForensicFindings = { topics: [] };
    for (const topic of topics) findings.topics.push({ topic, partitions: (await this.window(topic, access, groups)).partitions });
    if (write) findings.firstOffsets = firstOffsets(findings.topics[0]?.partitions ?? []);
    return { events: [{ type: 'StepPlanned', at: this.at(), actor: ACTOR, data: { stepId: this.input.stepId, action: 'forensics', changes } }], result: findings };
  }

  private async access(topics: readonly string[]): Promise<PrincipalAccess | undefined> {
    if (!this.input.params.useAccessRecords) return undefined;
    // The configured access-record sources (request log, commits, audit events, sandbox access log),
    // merged and labelled per partition; see src/forensics/sources. With several principals (the
    // credentials a leaked token exposed) the window is over what any of them read.
    const merged: PrincipalAccess = { fetches: new Map(), groups: new Set(), scanned: 0 };
    for (const principal of this.principals) {
      const one = await readAccessObservations(
        {
          kafka: this.deps.kafka,
          admin: this.admin,
          logger: this.logger,
          ...(this.deps.accessSources !== undefined ? { sources: this.deps.accessSources } : {}),
          ...(this.deps.accessLogTopic !== undefined ? { accessLogTopic: this.deps.accessLogTopic } : {}),
          // Request-log lines of Fetch v13+ name topics by id: names from Metadata v10+ on the reader.
          resolveTopicIds: () => this.reader.topicIds(),
        },
        { principal, topics, until: this.at(), ...(this.input.suspectedSince !== undefined ? { since: this.input.suspectedSince } : {}) },
      );
      if (this.principals.length === 1) return one;
      for (const [topic, fetches] of one.fetches) merged.fetches.set(topic, [...(merged.fetches.get(topic) ?? []), ...fetches]);
      for (const g of one.groups) merged.groups.add(g);
      merged.scanned += one.scanned;
    }
    return merged;
  }

  /**
   * The principals' consumer groups: those the access log shows them using, those their ACLs still
   * name (containment may already have removed them), and the group named after each account (the
   * convention services follow). Groups that never committed simply contribute nothing.
   */
  private groupsOfPrincipal(access: PrincipalAccess | undefined, aclGroups: readonly string[]): string[] {
    return [...new Set<string>([...this.principals.map(accountOf), ...(access?.groups ?? []), ...aclGroups])].sort();
  }

  /** Groups the principals' ACLs name (read while the access records are read). */
  private async groupsInAcls(): Promise<string[]> {
    const names: string[] = [];
    for (const principal of this.principals) {
      const acls = await this.admin.describeAcls({
        resourceType: AclResourceTypes.GROUP,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      names.push(...acls.resources.map((r) => r.resourceName).filter((name) => name !== '*'));
    }
    return names;
  }

  /** The window of one topic (see the module comment, step 2). */
  private async window(topic: string, access: PrincipalAccess | undefined, groups: readonly string[]): Promise<ForensicWindow> {
    if (this.input.params.access === 'write') {
      const since = this.input.suspectedSince === undefined ? undefined : Date.parse(this.input.suspectedSince);
      const written = await writeWindow(
        {
          kafka: this.deps.kafka,
          admin: this.admin,
          reader: this.reader,
          logger: this.logger,
          principal: this.principal,
          useAccessRecords: this.input.params.useAccessRecords,
          until: Date.parse(this.at()),
          ...(this.deps.accessSources !== undefined ? { sources: this.deps.accessSources } : {}),
          ...(this.deps.accessLogTopic !== undefined ? { accessLogTopic: this.deps.accessLogTopic } : {}),
          ...(since !== undefined ? { since } : {}),
        },
        topic,
      );
      // Lines naming no topic come back for every topic asked: the findings list them once.
      const first = this.unlocatedByTopic.size === 0;
      this.unlocatedWrites.push(...written.unlocated.filter((u) => u.topic !== undefined || first));
      this.unlocatedByTopic.set(topic, written.unlocated);
      return written.window;
    }
    // Independent O(partitions) reads, asked at once: the window costs the slowest, not the sum.
    // Log bounds and the timestamp index are plain ListOffsets requests per leader on the reader's
    // connections (kafkajs' admin refreshes metadata and scans it per partition per call), sent
    // together; committed offsets are one OffsetFetch per group.
    const since = this.input.suspectedSince;
    const [{ partitions, atTime: atSince }, committed] = await Promise.all([
      this.reader.boundsAt(topic, since === undefined ? undefined : Date.parse(since)),
      this.committedOn(topic, groups),
    ]);
    const fetches = access?.fetches.get(topic) ?? [];
    // Where reading began: the first offset served to the principal, else the timestamp index at
    // the suspected start, else (absent) the log start — the conservative assumption.
    const readStart: Record<number, string> = {};
    if (atSince !== undefined) Object.assign(readStart, atSince);
    for (const partition of new Set(fetches.map((f) => f.partition))) {
      const first = firstFetch(fetches, partition);
      if (first !== undefined) readStart[partition] = first.toString();
    }
    const input: ForensicInput = { topic, partitions, committed, accessRecords: fetches, ...(Object.keys(readStart).length > 0 ? { readStart } : {}) };
    // Plain Fetch on assigned partitions, tens of KB each: no consumer group to join per call.
    const sample = await this.reader.timestampsAt(topic, windowEdges(input));
    return establishWindow({ ...input, averageRecordBytes: sample.averageRecordBytes }, sample.timestamps);
  }

  /** The step's declared outputs (`access: write`: `firstOffsets`). */
  private outputsOf(findings: ForensicFindings): { outputs?: Record<string, Record<string, string>> } {
    return findings.firstOffsets === undefined ? {} : { outputs: { firstOffsets: findings.firstOffsets } };
  }

  /**
   * The groups' committed offsets on `topic`. Asked once for all the step's topics on the reader's
   * connections: one OffsetFetch per group carries every topic (issue 12: no kafkajs admin call,
   * which looks the coordinator up again for each group and topic).
   */
  private committedOn(topic: string, groups: readonly string[]): Promise<CommittedOffset[]> {
    this.committed ??= this.reader.committedOffsets(groups, [...new Set(this.input.params.topics)]);
    return this.committed.then((byTopic) => byTopic.get(topic) ?? []);
  }

  /** PII tags: inline from the runbook, or the schema published on the `schemas` topic. */
  private async piiFields(): Promise<{ fields: PiiField[]; subjectKey: string }> {
    const { piiFields, dataSubjectKey } = this.input.params;
    if (piiFields.source === 'inline') return { fields: piiFields.fields ?? [], subjectKey: dataSubjectKey };
    const topic = this.input.params.topics[0] ?? '';
    const schema = await readPublishedSchema(this.deps.kafka, this.admin, topic, this.logger);
    if (schema === undefined) throw new PiiSchemaError(`no schema with PII tags is published for ${topic} on the schemas topic`);
    return { fields: schema.piiFields, subjectKey: schema.dataSubjectKey ?? dataSubjectKey };
  }

  /** Streams the window's records once and counts distinct data subjects (step 3). */
  private async countDataSubjects(
    topic: string,
    window: ForensicWindow,
    pii: { fields: PiiField[]; subjectKey: string },
  ): Promise<{ count: number; method: 'exact' | 'hll'; relativeStandardError: number; categories: string[] }> {
    const { exactCountThreshold, hllPrecision } = this.input.params;
    const digest = createHash('sha256').update(JSON.stringify(window.partitions.map((p) => [p.partition, p.ranges.map((r) => [r.from, r.to])]))).digest('hex');
    const previous = this.checkpoint.scans[topic];
    const resumable = previous !== undefined && previous.window === digest && previous.counter !== undefined ? previous : undefined;
    const counter = resumable?.counter !== undefined ? DistinctCounter.fromSnapshot(resumable.counter, sha256) : new DistinctCounter({ hash: sha256, exactThreshold: exactCountThreshold, precision: hllPrecision });
    const categories = new Set<string>(resumable?.categories ?? []);
    const scan: ScanCheckpoint = resumable ?? { window: digest, cursor: {}, counter: counter.snapshot(), categories: [], records: 0 };
    this.checkpoint.scans[topic] = scan;

    const spans: OffsetSpan[] = [];
    for (const p of window.partitions) {
      const cursor = scan.cursor[p.partition] !== undefined ? BigInt(scan.cursor[p.partition] as string) : -1n;
      for (const r of p.ranges) {
        const from = BigInt(r.from) > cursor ? BigInt(r.from) : cursor;
        const to = BigInt(r.to) + 1n;
        if (to > from) spans.push({ partition: p.partition, from, to });
      }
    }
    const paths = pii.fields.map((f) => ({ path: f.path.split('.'), category: f.category }));
    const subjectPath = pii.subjectKey.split('.');
    await readSpans(this.deps.kafka, {
      topic,
      spans,
      clientId: 'breachline-forensics',
      logger: this.logger,
      onRecords: (partition, records) => {
        for (const r of records) {
          const doc = parseJson(r.value);
          if (doc === undefined) continue;
          const subject = valueAt(doc, subjectPath);
          if (typeof subject === 'string' || typeof subject === 'number') counter.add(String(subject));
          for (const f of paths) {
            const v = valueAt(doc, f.path);
            if (v !== undefined && v !== null && v !== '') categories.add(f.category);
          }
        }
        const last = records[records.length - 1];
        if (last !== undefined) scan.cursor[partition] = (last.offset + 1n).toString();
        scan.records += records.length;
        if (Date.now() - this.lastBeat >= HEARTBEAT_EVERY_MS) {
          const snapshot = checkpointable(counter);
          if (snapshot === undefined) delete scan.counter;
          else scan.counter = snapshot;
          scan.categories = [...categories].sort();
          this.beat(true);
        }
      },
    });
    const snapshot = checkpointable(counter);
    if (snapshot === undefined) delete scan.counter;
    else scan.counter = snapshot;
    scan.categories = [...categories].sort();
    this.beat(true);
    return { count: counter.count(), method: counter.method, relativeStandardError: counter.relativeStandardError, categories: scan.categories };
  }
}

/** A principal as Kafka's authorizer names it (`User:` added to a bare account). */
function asUser(principal: string): string {
  return principal.startsWith('User:') ? principal : `User:${principal}`;
}

/** Lowest fetch offset served for a partition. */
function firstFetch(fetches: ReadonlyArray<{ partition: number; fromOffset: string | bigint }>, partition: number): bigint | undefined {
  let min: bigint | undefined;
  for (const f of fetches) {
    if (f.partition !== partition) continue;
    const o = BigInt(f.fromOffset);
    if (min === undefined || o < min) min = o;
  }
  return min;
}
