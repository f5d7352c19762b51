import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSubjectActivities, type SubjectChunkCheckpoint, type SubjectChunkInput, type SubjectChunkResult } from '../../../activities/data-subjects';
import { createForensicsActivities, type ForensicFindings } from '../../../activities/forensics';
import { mergeDistinct } from '../../../src/domain/distinct-count';
import type { EventDataMap } from '../../../src/domain/events';
import type { ActionParams } from '../../../src/domain/runbook';
import type { StepOutput } from '../../../src/domain/step-contract';
import { planSubjectScan } from '../../../src/domain/subject-scan';
import type { DirectFetchStats } from '../../../src/kafka/direct-fetch';
import { ErrorCode } from '../../../src/kafka/wire';
import { silentLogger } from '../../../src/log/logger';
import { seedTradingExfiltration, type TradingScenario } from '../../../src/sandbox/scenario/trading-exfiltration';
import { startSandboxes, type ScenarioSandboxes } from '../scenario/helpers';

/*
 * The data-subject fan-out against the Kafka sandbox: `investigate` in fan-out mode establishes the
 * window and hands back the PII tags without scanning; the chunks planned over the window, scanned by
 * `countDataSubjectsInChunk` and merged, give the ground truth's count. A chunk that fails mid-scan
 * (the broker answers a Fetch with an error) resumes on retry from its last heartbeat: the broker's
 * own fetch records show the retry never fetched below the checkpointed offsets.
 */

const FETCH = 1;
const params: ActionParams['forensics'] = {
  topics: ['orders'],
  legalHoldRetentionMs: -1,
  piiFields: { source: 'inline', fields: [{ path: 'client.name', category: 'name' }, { path: 'client.email', category: 'contact' }, { path: 'client.accountId', category: 'account-identifier' }] },
  dataSubjectKey: 'client.accountId',
  exactCountThreshold: 100_000,
  hllPrecision: 14,
  useAccessRecords: true,
};

describe('data-subject scan fan-out', () => {
  let sb: ScenarioSandboxes;
  let scenario: TradingScenario;
  let findings: ForensicFindings;
  let window: EventDataMap['ForensicWindowEstablished'];

  beforeAll(async () => {
    sb = await startSandboxes();
    scenario = await seedTradingExfiltration({ kafka: sb.connection, secrets: sb.secrets, attacker: 'committing' });
    const acts = createForensicsActivities({ kafka: sb.connection, logger: silentLogger });
    const out: StepOutput = await new MockActivityEnvironment().run(acts.investigate, {
      incidentId: 'inc-1', stepId: 'forensics', stepKey: 'inc-1/forensics', mode: 'live' as const, principal: 'User:report-exporter', params, dataSubjectScan: 'fan-out' as const,
    });
    findings = out.result as ForensicFindings;
    window = out.events.find((e) => e.type === 'ForensicWindowEstablished')?.data as EventDataMap['ForensicWindowEstablished'];
  }, 60_000);
  afterAll(async () => {
    await sb?.close();
  });

  function chunkInput(chunk: ReturnType<typeof planSubjectScan>[number]): SubjectChunkInput {
    if (findings.subjects === undefined) throw new Error('fan-out findings carry no PII tags');
    return {
      incidentId: 'inc-1', stepId: 'forensics', stepKey: `inc-1/forensics/subjects/${chunk.id}`, topic: chunk.topic, spans: chunk.spans,
      fields: findings.subjects.fields, subjectKey: findings.subjects.subjectKey, exactThreshold: params.exactCountThreshold, precision: params.hllPrecision,
    };
  }

  it('leaves the count to the fan-out and hands back the PII tags, not values', () => {
    expect(window.dataSubjects).toEqual({ count: 0, method: 'exact', relativeStandardError: 0 });
    expect(findings.subjects).toEqual({ fields: params.piiFields.fields, subjectKey: 'client.accountId' });
    expect(findings.topics[0]?.partitions).toEqual(window.partitions);
  });

  it('merges the chunks to the ground truth count and categories', async () => {
    const chunks = planSubjectScan(findings.topics, { maxChunks: 4, minChunkRecords: 1 });
    expect(chunks.length).toBeGreaterThan(1);
    const acts = createDataSubjectActivities({ kafka: sb.connection, logger: silentLogger });
    const results: SubjectChunkResult[] = [];
    for (const c of chunks) results.push(await new MockActivityEnvironment().run(acts.countDataSubjectsInChunk, chunkInput(c)));
    const merged = mergeDistinct(results.map((r) => r.sketch), { exactThreshold: params.exactCountThreshold, precision: params.hllPrecision });
    expect(merged).toMatchObject({ count: scenario.groundTruth.dataSubjects, method: 'exact', relativeStandardError: 0 });
    expect(results.reduce((n, r) => n + BigInt(r.records), 0n).toString()).toBe(scenario.groundTruth.totals.records);
    expect([...new Set(results.flatMap((r) => r.categories))].sort()).toEqual(['account-identifier', 'contact', 'name']);
    // Hashes only: no e-mail address, no identifier in what goes to the workflow history.
    expect(JSON.stringify(results)).not.toContain('@');
    for (const r of results) if (r.sketch.kind === 'exact') for (const h of r.sketch.hashes) expect(h).toMatch(/^[0-9a-f]{16}$/);
  });

  it('resumes a chunk that failed mid-scan from its checkpoint, fetching nothing it had covered', async () => {
    const [chunk] = planSubjectScan(findings.topics, { maxChunks: 1, minChunkRecords: 1 });
    if (chunk === undefined) throw new Error('no chunk');
    const input = chunkInput(chunk);
    const stats: DirectFetchStats[] = [];
    // Small fetches and a checkpoint after every response: many checkpoints to crash between.
    const acts = createDataSubjectActivities({ kafka: sb.connection, logger: silentLogger, checkpointEveryMs: 0, fetchBytes: 2048, onStats: (s) => stats.push(s) });

    const first = new MockActivityEnvironment();
    const beats: SubjectChunkCheckpoint[] = [];
    first.on('heartbeat', (d: SubjectChunkCheckpoint) => {
      beats.push(d);
      // A third of the way in, the broker fails the next Fetch: the attempt dies mid-scan.
      if (beats.length === 3) sb.kafka.broker.faults.failNext(FETCH, 1, ErrorCode.UNKNOWN_SERVER_ERROR);
    });
    await expect(first.run(acts.countDataSubjectsInChunk, input)).rejects.toMatchObject({ type: 'SubjectScanFailed', nonRetryable: false });
    const saved = beats.at(-1) as SubjectChunkCheckpoint;
    expect(BigInt(saved.records)).toBeGreaterThan(0n);
    expect(BigInt(saved.records)).toBeLessThan(BigInt(chunk.records));

    const before = sb.kafka.broker.accessLog.query({ kind: 'fetch', resourceName: 'orders' }).length;
    const retry = new MockActivityEnvironment({ heartbeatDetails: saved });
    const result: SubjectChunkResult = await retry.run(acts.countDataSubjectsInChunk, input);
    const retried = sb.kafka.broker.accessLog.query({ kind: 'fetch', resourceName: 'orders' }).slice(before).filter((f) => f.clientId === 'breachline-subject-scan');

    // The broker's records: no fetch of the retry starts below what the checkpoint had covered.
    expect(retried.length).toBeGreaterThan(0);
    for (const f of retried) {
      const covered = saved.cursor[f.partition as number];
      if (covered !== undefined) expect(BigInt(f.fromOffset as string)).toBeGreaterThanOrEqual(BigInt(covered));
    }
    // Fewer fetches than the whole scan took, and the same answer as an uninterrupted scan.
    const whole: SubjectChunkResult = await new MockActivityEnvironment().run(createDataSubjectActivities({ kafka: sb.connection, logger: silentLogger, fetchBytes: 2048, onStats: (s) => stats.push(s) }).countDataSubjectsInChunk, input);
    const [, retryStats, wholeStats] = stats as [DirectFetchStats, DirectFetchStats, DirectFetchStats];
    expect(retryStats.requests).toBeLessThan(wholeStats.requests);
    expect(result.records).toBe(chunk.records);
    expect(result.sketch).toEqual(whole.sketch);
    expect(mergeDistinct([result.sketch], { exactThreshold: params.exactCountThreshold, precision: params.hllPrecision }).count).toBe(scenario.groundTruth.dataSubjects);
  });

  it('ignores a checkpoint of another chunk', async () => {
    const [chunk] = planSubjectScan(findings.topics, { maxChunks: 1, minChunkRecords: 1 });
    if (chunk === undefined) throw new Error('no chunk');
    const foreign: SubjectChunkCheckpoint = { stepKey: 'inc-1/forensics/subjects/other#0', cursor: { 0: '999999' }, sketch: { kind: 'exact', precision: 14, exactThreshold: 5000, hashes: [] }, categories: [], records: '123' };
    const acts = createDataSubjectActivities({ kafka: sb.connection, logger: silentLogger });
    const result: SubjectChunkResult = await new MockActivityEnvironment({ heartbeatDetails: foreign }).run(acts.countDataSubjectsInChunk, chunkInput(chunk));
    expect(result.records).toBe(chunk.records);
  });
});
