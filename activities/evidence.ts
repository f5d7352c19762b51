import { asyncLocalStorage } from '@temporalio/activity';
import { checkpoint } from './heartbeat';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ChunkReplay, type ChunkCheckpoint } from '../src/audit/chunk-replay';
import { EvidenceReplay, EvidenceReplayError, type PreservedRange, type ReplayCheckpoint } from '../src/audit/evidence-replay';
import type { Actor, OffsetRange, PlannedChange } from '../src/domain/events';
import type { EventDraft, StepInput, StepOutput } from '../src/domain/step-contract';
import { createKafka, type KafkaConnection } from '../src/kafka/client';
import type { Logger } from '../src/log/logger';
import { isVaultError } from '../src/vault/errors';
import type { SecretsPort } from '../src/vault/port';

/**
 * The `preserve-evidence` step (design §2, §7): copy the forensic window of one source partition
 * into the immutable evidence topic, each copy encrypted (Vault transit envelope), hashed and
 * chained, resumable from a heartbeat checkpoint with no gap and no duplicate. The workflow fans
 * out one call per partition; see `src/audit/evidence-replay.ts` for how resumption works.
 */

/** Dependencies of {@link createEvidenceActivities}. */
export interface EvidenceActivityDeps {
  /** The orchestrator's connection: reads the source, creates and writes the evidence topic. */
  kafka: KafkaConnection;
  /** Needs `create` + `update` on `transit/encrypt/<transitKey>` (encrypting creates the key on first use). */
  secrets: SecretsPort;
  logger: Logger;
  now?: () => Date;
  /** Fetch bound per partition. @default 1 MiB */
  maxBytesPerPartition?: number;
}

/** Input of `preserveEvidence`: the step plus the partition and its ranges from the forensic window. */
export type PreserveEvidenceInput = StepInput<'preserve-evidence'> & { sourceTopic: string; partition: number; ranges: OffsetRange[] };

/** What `preserveEvidence` returns besides its events. */
export interface PreserveEvidenceResult {
  sourceTopic: string;
  partition: number;
  evidenceTopic: string;
  /** Records copied (live) or that would be copied (dry-run). */
  records: string;
  ranges: Array<Omit<PreservedRange, 'at'>>;
  /** Copies found on the evidence topic from an earlier attempt and adopted instead of re-copied. */
  adopted: number;
}

const ACTOR: Actor = { kind: 'system', id: 'activity:preserve-evidence' };
const DEFAULT_TRANSIT_KEY = 'breachline-evidence';
const DEFAULT_CHUNK_SIZE = 10_000;
/** Chunks are cut by size (~900 KiB) long before this with records of any real size. */
const DEFAULT_RECORDS_PER_CHUNK = 100_000;

/** What `preserveEvidenceChunks` returns besides its events (issue 13). */
export interface PreserveEvidenceChunksResult {
  sourceTopic: string;
  partition: number;
  evidenceTopic: string;
  records: string;
  chunks: number;
  sourceBytes: string;
  evidenceBytes: string;
  merkleRoot: string;
  /** Chunks found on the evidence topic from an earlier attempt and adopted. */
  adopted: number;
}

/** The evidence activities; see the module comment. */
export function createEvidenceActivities(deps: EvidenceActivityDeps): {
  preserveEvidence(input: PreserveEvidenceInput): Promise<StepOutput<PreserveEvidenceResult>>;
  preserveEvidenceChunks(input: PreserveEvidenceInput): Promise<StepOutput<PreserveEvidenceChunksResult>>;
} {
  const now = deps.now ?? (() => new Date());
  return {
    /**
     * Format 1 (issue 13, docs/evidence-format.md): binary chunks of ~1 MB, one AES-GCM pass and
     * one Vault data key per chunk, pipelined, then a manifest signed through Vault transit.
     */
    async preserveEvidenceChunks(input) {
      const logger = deps.logger.child({ incidentId: input.incidentId, step: input.stepId, stepKey: input.stepKey, partition: input.partition });
      const evidenceTopic = input.params.evidenceTopic;
      const transitKey = input.params.transitKey ?? DEFAULT_TRANSIT_KEY;
      const kafka = createKafka(deps.kafka, { clientId: 'breachline-evidence', logger });
      if (input.mode === 'dry-run') {
        const planned = await plan(input, kafka, evidenceTopic, transitKey, now);
        const r = planned.result as PreserveEvidenceResult;
        return { events: planned.events, result: { sourceTopic: r.sourceTopic, partition: r.partition, evidenceTopic, records: r.records, chunks: 0, sourceBytes: '0', evidenceBytes: '0', merkleRoot: '', adopted: 0 } };
      }
      const ctx = asyncLocalStorage.getStore();
      const replay = new ChunkReplay(
        {
          incidentId: input.incidentId,
          stepKey: input.stepKey,
          sourceTopic: input.sourceTopic,
          partition: input.partition,
          ranges: input.ranges,
          evidenceTopic,
          transitKey,
          maxRecordsPerChunk: input.params.chunkSize ?? DEFAULT_RECORDS_PER_CHUNK,
        },
        {
          kafka,
          secrets: deps.secrets,
          logger,
          now,
          writer: `User:${deps.kafka.username}`,
          heartbeat: (next: ChunkCheckpoint) => checkpoint(next),
          ...(ctx !== undefined ? { signal: ctx.cancellationSignal } : {}),
          ...(deps.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: deps.maxBytesPerPartition } : {}),
        },
      );
      try {
        const result = await replay.run(ctx?.info.heartbeatDetails);
        const m = result.manifest;
        logger.info({ records: result.produced, chunks: m.chunks, adopted: result.adopted }, 'evidence preserved and manifest signed');
        const at = now().toISOString();
        const events: EventDraft[] = [
          ...result.ranges.map(({ at: rangeAt, ...data }): EventDraft => ({ type: 'EvidencePreserved', at: rangeAt, actor: ACTOR, data })),
          { type: 'EvidenceManifestSigned', at, actor: ACTOR, data: m },
        ];
        return {
          events,
          result: { sourceTopic: input.sourceTopic, partition: input.partition, evidenceTopic, records: m.records, chunks: m.chunks, sourceBytes: m.sourceBytes, evidenceBytes: m.evidenceBytes, merkleRoot: m.merkleRoot, adopted: result.adopted },
        };
      } catch (err) {
        throw toFailure(err, logger);
      }
    },

    async preserveEvidence(input) {
      const logger = deps.logger.child({ incidentId: input.incidentId, step: input.stepId, stepKey: input.stepKey, partition: input.partition });
      const evidenceTopic = input.params.evidenceTopic;
      const transitKey = input.params.transitKey ?? DEFAULT_TRANSIT_KEY;
      const chunkSize = input.params.chunkSize ?? DEFAULT_CHUNK_SIZE;
      const kafka = createKafka(deps.kafka, { clientId: 'breachline-evidence', logger });
      if (input.mode === 'dry-run') return plan(input, kafka, evidenceTopic, transitKey, now);

      const ctx = asyncLocalStorage.getStore();
      const replay = new EvidenceReplay(
        { incidentId: input.incidentId, stepKey: input.stepKey, sourceTopic: input.sourceTopic, partition: input.partition, ranges: input.ranges, evidenceTopic, chunkSize, transitKey },
        {
          kafka,
          secrets: deps.secrets,
          logger,
          now,
          writer: `User:${deps.kafka.username}`,
          heartbeat: (next: ReplayCheckpoint) => checkpoint(next),
          ...(ctx !== undefined ? { signal: ctx.cancellationSignal } : {}),
          ...(deps.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: deps.maxBytesPerPartition } : {}),
        },
      );
      try {
        const result = await replay.run(ctx?.info.heartbeatDetails);
        logger.info({ records: result.produced, adopted: result.adopted, ranges: result.ranges.length }, 'evidence preserved');
        const events: EventDraft[] = result.ranges.map(({ at, ...data }) => ({ type: 'EvidencePreserved', at, actor: ACTOR, data }));
        return {
          events,
          result: {
            sourceTopic: input.sourceTopic,
            partition: input.partition,
            evidenceTopic,
            records: result.produced,
            ranges: result.ranges.map(({ at: _at, ...data }) => data),
            adopted: result.adopted,
          },
        };
      } catch (err) {
        throw toFailure(err, logger);
      }
    },
  };
}

/** Dry-run: what would be created and copied, read from the current state, changing nothing. */
async function plan(
  input: PreserveEvidenceInput,
  kafka: ReturnType<typeof createKafka>,
  evidenceTopic: string,
  transitKey: string,
  now: () => Date,
): Promise<StepOutput<PreserveEvidenceResult>> {
  const admin = kafka.admin();
  await admin.connect();
  let exists: boolean;
  try {
    exists = (await admin.listTopics()).includes(evidenceTopic);
  } finally {
    await admin.disconnect();
  }
  const changes: PlannedChange[] = [];
  if (!exists) {
    changes.push({ kind: 'topic.create', target: `TOPIC:${evidenceTopic}`, description: 'create the evidence topic: retention.ms=-1, cleanup.policy=delete, WRITE for the orchestrator only, DENY DELETE/ALTER/ALTER_CONFIGS for User:*' });
  }
  changes.push({ kind: 'vault.transit.key', target: `transit/keys/${transitKey}`, description: 'use (and create if missing) the transit key wrapping the evidence data keys' });
  let total = 0n;
  for (const r of input.ranges) {
    total += BigInt(r.records);
    changes.push({ kind: 'evidence.copy', target: `TOPIC:${input.sourceTopic}/${input.partition}`, description: `copy ${r.records} records (offsets ${r.from}..${r.to}) to ${evidenceTopic}, encrypted and hash-chained` });
  }
  return {
    events: [{ type: 'StepPlanned', at: now().toISOString(), actor: ACTOR, data: { stepId: input.stepId, action: 'preserve-evidence', changes } }],
    result: { sourceTopic: input.sourceTopic, partition: input.partition, evidenceTopic, records: total.toString(), ranges: [], adopted: 0 },
  };
}

function toFailure(err: unknown, logger: Logger): unknown {
  if (err instanceof CancelledFailure || err instanceof ApplicationFailure) return err;
  if (err instanceof EvidenceReplayError) {
    logger.error({ type: err.type }, err.message);
    return ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: err.nonRetryable });
  }
  if (isVaultError(err)) {
    logger.warn({ kind: err.kind }, 'vault failed during evidence replay');
    return ApplicationFailure.create({ type: 'EvidenceVaultFailed', message: err.message, nonRetryable: !err.retriable });
  }
  logger.warn({ reason: (err as Error).message }, 'evidence replay failed; will resume from the checkpoint');
  return ApplicationFailure.create({ type: 'EvidenceReplayFailed', message: `evidence replay failed: ${(err as Error).message}`, nonRetryable: false });
}
