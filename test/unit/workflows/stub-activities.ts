import type { Alert } from '../../../src/domain/alert';
import type { DomainEvent, EventDataMap, PartitionWindow } from '../../../src/domain/events';
import type { BreakerRule } from '../../../src/domain/runbook';
import type { EventDraft, StepInput, StepOutput } from '../../../src/domain/step-contract';

/**
 * Stand-ins for the step activities (not our adapters: those have their own integration tests).
 * They return the events the real ones would, and record every call so tests can check order,
 * mode and what the audit topic received.
 */
export interface StubRecord {
  calls: Array<{ name: string; mode?: string; stepId?: string }>;
  audit: DomainEvent[];
  messages: string[];
}

const actor = (name: string) => ({ kind: 'system' as const, id: `activity:${name}` });
const at = (): string => new Date().toISOString();
const planned = (input: { stepId: string }, action: EventDataMap['StepPlanned']['action'], target: string): StepOutput => ({
  events: [{ type: 'StepPlanned', at: at(), actor: actor(action), data: { stepId: input.stepId, action, changes: [{ kind: 'test', target, description: `would ${action} ${target}` }] } }],
});

/** Ground truth of the stub forensics: 3 partitions read. */
export const STUB_PARTITIONS: PartitionWindow[] = [0, 1, 2].map((p) => ({
  partition: p,
  from: '0',
  to: '99',
  records: '100',
  bytes: '10000',
  firstTs: 1_700_000_000_000,
  lastTs: 1_700_000_100_000,
  ranges: [{ from: '0', to: '99', records: '100', bytes: '10000', firstTs: 1_700_000_000_000, lastTs: 1_700_000_100_000 }],
  clampedRecords: '0',
}));

/** The stub activities and their record. */
export function stubActivities(): { activities: Record<string, (...args: never[]) => Promise<unknown>>; record: StubRecord } {
  const record: StubRecord = { calls: [], audit: [], messages: [] };
  const call = (name: string, input?: { mode?: string; stepId?: string }): void => {
    record.calls.push({ name, ...(input?.mode ? { mode: input.mode } : {}), ...(input?.stepId ? { stepId: input.stepId } : {}) });
  };
  const activities = {
    async contain(input: StepInput<'contain'>): Promise<StepOutput<EventDataMap['AccessRevoked']>> {
      call('contain', input);
      if (input.mode === 'dry-run') return planned(input, 'contain', input.principal) as StepOutput<EventDataMap['AccessRevoked']>;
      const data: EventDataMap['AccessRevoked'] = { principal: input.principal, scope: 'resources', removedAllowBindings: [], addedDenyBindings: [], verified: true };
      return { events: [{ type: 'AccessRevoked', at: at(), actor: actor('contain'), data }], result: data };
    },
    async restoreAccess(input: { stepId: string; mode: string }): Promise<StepOutput> {
      call('restoreAccess', input);
      return { events: [{ type: 'StepCompensated', at: at(), actor: actor('restoreAccess'), data: { stepId: input.stepId, action: 'contain', undone: 'access restored' } }] };
    },
    async rotateCredentials(input: StepInput<'rotate-credentials'>): Promise<StepOutput> {
      call('rotateCredentials', input);
      if (input.mode === 'dry-run') return planned(input, 'rotate-credentials', 'vault');
      return {
        events: input.params.blastRadius.map((account): EventDraft => ({
          type: 'CredentialRotated',
          at: at(),
          actor: actor('rotate-credentials'),
          data: { account, mechanism: 'SCRAM-SHA-512', iterations: 8192, vaultPath: `kafka/service-accounts/${account}`, vaultVersion: 2, verified: true },
        })),
      };
    },
    async openCircuits(input: StepInput<'break-circuits'> & { breakers: Record<string, BreakerRule> }): Promise<StepOutput<Array<EventDataMap['CircuitOpened']>>> {
      call('openCircuits', input);
      if (input.mode === 'dry-run') return planned(input, 'break-circuits', 'acl') as StepOutput<Array<EventDataMap['CircuitOpened']>>;
      const opened = Object.entries(input.breakers).map(([breaker, rule]) => ({ breaker, topic: rule.topic, principals: rule.principals, addedDenyBindings: [] }));
      return { events: opened.map((data): EventDraft => ({ type: 'CircuitOpened', at: at(), actor: actor('break-circuits'), data })), result: opened };
    },
    async closeCircuits(input: { stepId: string; mode: string; opened: Array<EventDataMap['CircuitOpened']>; approvalId: string }): Promise<StepOutput> {
      call('closeCircuits', input);
      return {
        events: input.opened.map((o): EventDraft => ({
          type: 'CircuitClosed',
          at: at(),
          actor: actor('closeCircuits'),
          data: { breaker: o.breaker, topic: o.topic, principals: o.principals, approvalId: input.approvalId },
        })),
      };
    },
    async investigate(input: StepInput<'forensics'> & { dataSubjectScan?: string }): Promise<StepOutput> {
      call('investigate', input);
      // Fan-out (forensics-fanout-v1): the count is left to the chunks; the PII tags come back.
      const fanOut = input.dataSubjectScan === 'fan-out';
      const findings = { topics: [{ topic: 'orders', partitions: STUB_PARTITIONS }], ...(fanOut ? { subjects: { fields: [{ path: 'client.accountId', category: 'account-identifier' }], subjectKey: 'client.accountId' } } : {}) };
      if (input.mode === 'dry-run') return { ...planned(input, 'forensics', 'TOPIC:orders'), result: findings };
      return {
        events: [
          { type: 'LegalHoldApplied', at: at(), actor: actor('forensics'), data: { topic: 'orders', previousRetentionMs: '604800000', retentionMs: '-1' } },
          {
            type: 'ForensicWindowEstablished',
            at: at(),
            actor: actor('forensics'),
            data: {
              topic: 'orders',
              partitions: STUB_PARTITIONS,
              totals: { partitions: 3, ranges: 3, records: '300', bytes: '30000', firstTs: 1_700_000_000_000, lastTs: 1_700_000_100_000 },
              bytesExact: true,
              sources: ['committed-offsets'],
              dataSubjects: fanOut ? { count: 0, method: 'exact', relativeStandardError: 0 } : { count: 42, method: 'exact', relativeStandardError: 0 },
              piiCategories: fanOut ? [] : ['account-identifier', 'contact', 'name'],
            },
          },
        ],
        result: findings,
      };
    },
    /** One chunk of the data-subject fan-out: 42 subjects in all, every chunk sees subjects 0..41 of its own range. */
    async countDataSubjectsInChunk(input: { spans: Array<{ partition: number; from: string; to: string }>; precision: number; exactThreshold: number }): Promise<unknown> {
      call('countDataSubjectsInChunk');
      const hashes = Array.from({ length: 42 }, (_, i) => i.toString(16).padStart(16, '0'));
      const records = input.spans.reduce((n, s) => n + Number(BigInt(s.to) - BigInt(s.from)), 0);
      return { sketch: { kind: 'exact', precision: input.precision, exactThreshold: Math.min(input.exactThreshold, 5000), hashes }, categories: ['account-identifier', 'contact', 'name'], records: String(records) };
    },
    async preserveEvidence(input: StepInput<'preserve-evidence'> & { sourceTopic: string; partition: number; ranges: Array<{ from: string; to: string; records: string }> }): Promise<StepOutput> {
      call('preserveEvidence', input);
      if (input.mode === 'dry-run') return planned(input, 'preserve-evidence', `${input.sourceTopic}:${input.partition}`);
      const r = input.ranges[0]!;
      return {
        events: [
          {
            type: 'EvidencePreserved',
            at: at(),
            actor: actor('preserve-evidence'),
            data: { sourceTopic: input.sourceTopic, partition: input.partition, from: r.from, to: r.to, records: r.records, evidenceTopic: input.params.evidenceTopic, digest: 'd'.repeat(64) },
          },
        ],
      };
    },
    // Issue 13: the chunked replay with its signed manifest.
    async preserveEvidenceChunks(input: StepInput<'preserve-evidence'> & { sourceTopic: string; partition: number; ranges: Array<{ from: string; to: string; records: string }> }): Promise<StepOutput> {
      call('preserveEvidenceChunks', input);
      const records = input.ranges.reduce((n, r) => n + BigInt(r.records), 0n).toString();
      const preserved = input.ranges.map((r) => ({
        type: 'EvidencePreserved' as const,
        at: at(),
        actor: actor('preserve-evidence'),
        data: { sourceTopic: input.sourceTopic, partition: input.partition, from: r.from, to: r.to, records: r.records, evidenceTopic: input.params.evidenceTopic, digest: 'd'.repeat(64) },
      }));
      const manifest = {
        sourceTopic: input.sourceTopic,
        partition: input.partition,
        evidenceTopic: input.params.evidenceTopic,
        evidencePartition: input.partition,
        manifestOffset: '0',
        manifestSha256: 'a'.repeat(64),
        merkleRoot: 'b'.repeat(64),
        chainHead: 'c'.repeat(64),
        records,
        chunks: 1,
        sourceBytes: String(BigInt(records) * 300n),
        evidenceBytes: String(BigInt(records) * 340n),
        keyIds: ['breachline-evidence:v1'],
        signingKey: 'breachline-evidence-signing',
        signature: 'vault:v1:stub',
      };
      return {
        events: [...preserved, { type: 'EvidenceManifestSigned', at: at(), actor: actor('preserve-evidence'), data: manifest }],
        result: { sourceTopic: input.sourceTopic, partition: input.partition, evidenceTopic: input.params.evidenceTopic, records, chunks: 1, sourceBytes: manifest.sourceBytes, evidenceBytes: manifest.evidenceBytes, merkleRoot: manifest.merkleRoot, adopted: 0 },
      };
    },
    async ensureAuditTopic(): Promise<void> {
      call('ensureAuditTopic');
    },
    async appendAudit(input: { events: DomainEvent[] }): Promise<{ appended: number; skipped: number }> {
      call('appendAudit');
      const known = new Set(record.audit.map((e) => e.seq));
      const fresh = input.events.filter((e) => !known.has(e.seq));
      record.audit.push(...fresh);
      return { appended: fresh.length, skipped: input.events.length - fresh.length };
    },
    async notify(input: { text: string; replace?: { channelId: string; ts: string } }): Promise<{ posted: boolean; ref: { channelId: string; ts: string } }> {
      call('notify');
      // An edit in place replaces the earlier message, as chat.update does.
      if (input.replace !== undefined) record.messages[Number(input.replace.ts)] = input.text;
      else record.messages.push(input.text);
      return { posted: true, ref: { channelId: 'C-INCIDENTS', ts: input.replace?.ts ?? String(record.messages.length - 1) } };
    },
    async postReport(input: { throughSeq: number }): Promise<{ posted: boolean; sha256: string; bytes: number }> {
      call('postReport');
      return { posted: true, sha256: 'x', bytes: input.throughSeq };
    },
  };
  return { activities: activities as unknown as Record<string, (...args: never[]) => Promise<unknown>>, record };
}

/** An alert observed at `observedAt`. */
export function testAlert(observedAt: string, alertId = 'alert-1'): Alert {
  return {
    source: 'splunk',
    alertId,
    rule: 'kafka-unusual-consumer',
    severity: 'critical',
    title: 'report-exporter reads orders at 40x its baseline',
    principal: 'User:report-exporter',
    asset: 'orders',
    scenario: 'kafka-exfiltration',
    observedAt,
    receivedAt: observedAt,
    fingerprint: 'f'.repeat(64),
  };
}
