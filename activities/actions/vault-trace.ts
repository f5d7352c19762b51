import type { VaultTraceTokenParams } from '../../src/actions/vault-trace-token';
import type { GenericActionInput, GenericActionResult } from '../../src/actions/contract';
import type { KafkaConnection } from '../../src/kafka/client';
import type { Logger } from '../../src/log/logger';
import { auditFileLines, auditTopicLines, AuditLogUnavailable } from '../../src/vault/audit-lines';
import { accountFromPath, TokenTracer, type AuditLine, type TokenTrace } from '../../src/vault/audit-trace';
import type { SecretsPort } from '../../src/vault/port';
import { ActionRefused, asAction } from './support';

/*
 * `vault.trace-token`: reads a Vault audit device's log — the file a file audit device writes, or
 * the Kafka topic a log shipper fills with the same JSON lines (one per record value) on the
 * cluster the worker uses — and feeds it to the tracer (src/vault/audit-trace). Read-only, so a
 * retry simply reads again.
 */

/** The audit device whose log the trace reads, and where its lines are. */
export type VaultAuditSource = VaultAuditFile | VaultAuditTopic;

/** A file audit device's JSON-lines file. */
export interface VaultAuditFile {
  /** Device path as `sys/audit` lists it, without the slash, e.g. `file`. */
  device: string;
  /** The JSON-lines file that device writes (`file_path`), readable by the worker. */
  file: string;
}

/** A topic a log shipper produces the device's lines to. */
export interface VaultAuditTopic {
  /** Device path as `sys/audit` lists it, without the slash (its salt hashed the shipped lines). */
  device: string;
  /** Topic on the worker's Kafka cluster; each record value is one audit line. */
  topic: string;
}

/** What the trace needs. */
export interface VaultTraceDeps {
  secrets: SecretsPort;
  /** Absent: the action is refused with a message naming the configuration. */
  audit?: VaultAuditSource;
  /** The worker's Kafka cluster (needed by a topic source). */
  kafka?: KafkaConnection;
  logger?: Logger;
}

/** Live accessors hashed at most, to turn a descendant's HMAC back into an accessor to revoke. */
const MAX_ACCESSORS_TO_HASH = 5_000;

/** The result with the step outputs the runbook references. */
export type TraceResult = GenericActionResult & { outputs: Record<string, string[]> };

/** Clock skew allowed between Vault and the log shipper that timestamps the records. */
const SHIPPER_SKEW_MS = 5 * 60_000;

/**
 * Where a shipped log is read from: never after the traced token's creation, since a child it
 * created before the suspected start can still be read with (or be an orphan to revoke) — every
 * descendant is younger than the token, so from there none is missed. A token Vault no longer
 * knows (revoked, expired), or a lookup that fails, gives no creation time: the whole topic is read.
 */
async function topicStart(secrets: SecretsPort, accessor: string, since: string | undefined): Promise<number | undefined> {
  if (since === undefined) return undefined;
  const created = await secrets.lookupTokenByAccessor(accessor).then(
    (info) => (info.createdAt !== undefined ? Date.parse(info.createdAt) : undefined),
    () => undefined,
  );
  return created === undefined || Number.isNaN(created) ? undefined : Math.min(Date.parse(since), created) - SHIPPER_SKEW_MS;
}

/** The source's lines, in the order Vault wrote them. */
async function auditLines(deps: VaultTraceDeps, source: VaultAuditSource, accessor: string, since: string | undefined): Promise<AsyncIterable<AuditLine | string>> {
  if ('file' in source) return auditFileLines(source.file);
  if (deps.kafka === undefined) throw new ActionRefused('VaultAuditLogNotConfigured', 'the Vault audit topic needs the worker\'s Kafka cluster, and none is configured');
  const from = await topicStart(deps.secrets, accessor, since);
  return auditTopicLines({
    kafka: deps.kafka,
    topic: source.topic,
    ...(from !== undefined ? { since: from } : {}),
    ...(deps.logger !== undefined ? { logger: deps.logger } : {}),
  });
}

async function readTrace(lines: AsyncIterable<AuditLine | string>, accessorHash: string, since: string | undefined): Promise<TokenTrace> {
  const tracer = new TokenTracer(accessorHash, since !== undefined ? { since: new Date(since) } : {});
  try {
    for await (const line of lines) tracer.add(line);
  } catch (err) {
    if (err instanceof AuditLogUnavailable) throw new ActionRefused('VaultAuditLogUnavailable', err.message);
    throw err;
  }
  return tracer.result();
}

/** The accessors of live descendants, found by hashing the live accessors with the device's salt. */
async function liveDescendants(secrets: SecretsPort, device: string, hashes: ReadonlySet<string>): Promise<{ accessors: string[]; resolved: boolean }> {
  if (hashes.size === 0) return { accessors: [], resolved: true };
  const live = await secrets.listTokenAccessors();
  if (live.length > MAX_ACCESSORS_TO_HASH) return { accessors: [], resolved: false };
  const found: string[] = [];
  for (const accessor of live) if (hashes.has(await secrets.auditHash(device, accessor))) found.push(accessor);
  return { accessors: found.sort(), resolved: true };
}

/** The activity of `vault.trace-token`. */
export function createVaultTraceActivities(deps: VaultTraceDeps) {
  return {
    async actionVaultTraceToken(input: GenericActionInput<VaultTraceTokenParams>): Promise<TraceResult> {
      return asAction('vault.trace-token', async () => {
        const { accessor } = input.params;
        const template = input.params.kafkaCredentialPathTemplate ?? 'kafka/service-accounts/{account}';
        const mount = `${input.params.mount ?? 'secret'}/`;
        const source = deps.audit;
        if (source === undefined) throw new ActionRefused('VaultAuditLogNotConfigured', 'no Vault audit log is configured for the worker: set BREACHLINE_VAULT_AUDIT_FILE (a file audit device\'s file) or BREACHLINE_VAULT_AUDIT_TOPIC (a Kafka topic the lines are shipped to), with BREACHLINE_VAULT_AUDIT_DEVICE');
        const hash = await deps.secrets.auditHash(source.device, accessor);
        const trace = await readTrace(await auditLines(deps, source, accessor, input.params.since), hash, input.params.since);
        const paths = [...new Set(trace.reads.filter((r) => r.mountPoint === mount).map((r) => r.path))];
        const accounts = [...new Set(paths.map((p) => accountFromPath(p, template)).filter((a): a is string => a !== undefined))];
        const descendants = await liveDescendants(deps.secrets, source.device, new Set(trace.tokens.slice(1)));
        const orphans = trace.children.filter((c) => c.orphan).length;
        const times = trace.reads.map((r) => r.time).sort();
        return {
          summary:
            `token ${accessor} and ${trace.children.length} token(s) it created (${orphans} orphan) read ${paths.length} secret(s)` +
            (accounts.length > 0 ? `, among them the credentials of Kafka account(s) ${accounts.join(', ')}` : ''),
          details: {
            tokens: trace.tokens.length,
            children: trace.children.length,
            orphans,
            reads: trace.reads.length,
            secrets: paths.length,
            ...(times.length > 0 ? { firstRead: times[0] as string, lastRead: times[times.length - 1] as string } : {}),
            liveDescendants: descendants.resolved ? descendants.accessors.length : 'not resolved: too many live tokens to hash',
            skippedLines: trace.skippedLines,
          },
          outputs: {
            paths,
            kafkaAccounts: accounts,
            kafkaPrincipals: accounts.map((a) => `User:${a}`),
            tokenAccessors: [accessor, ...descendants.accessors],
          },
        };
      });
    },
  };
}
