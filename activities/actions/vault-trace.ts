import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { VaultTraceTokenParams } from '../../src/actions/vault-trace-token';
import type { GenericActionInput, GenericActionResult } from '../../src/actions/contract';
import { accountFromPath, TokenTracer, type TokenTrace } from '../../src/vault/audit-trace';
import type { SecretsPort } from '../../src/vault/port';
import { ActionRefused, asAction } from './support';

/*
 * `vault.trace-token`: reads the file a Vault file audit device writes (the worker is told which
 * device and which file; a deployment that ships the log elsewhere — a Kafka topic, object storage
 * — feeds the same tracer from there). Read-only, so a retry simply reads again.
 */

/** The audit device whose log the trace reads. */
export interface VaultAuditSource {
  /** Device path as `sys/audit` lists it, without the slash, e.g. `file`. */
  device: string;
  /** The JSON-lines file that device writes (`file_path`), readable by the worker. */
  file: string;
}

/** What the trace needs. */
export interface VaultTraceDeps {
  secrets: SecretsPort;
  /** Absent: the action is refused with a message naming the configuration. */
  audit?: VaultAuditSource;
}

/** Live accessors hashed at most, to turn a descendant's HMAC back into an accessor to revoke. */
const MAX_ACCESSORS_TO_HASH = 5_000;

/** The result with the step outputs the runbook references. */
export type TraceResult = GenericActionResult & { outputs: Record<string, string[]> };

async function readTrace(file: string, accessorHash: string, since: string | undefined): Promise<TokenTrace> {
  const tracer = new TokenTracer(accessorHash, since !== undefined ? { since: new Date(since) } : {});
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw new ActionRefused('VaultAuditLogUnavailable', `cannot read the Vault audit log: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) tracer.add(line);
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
        if (source === undefined) throw new ActionRefused('VaultAuditLogNotConfigured', 'no Vault audit log is configured for the worker (BREACHLINE_VAULT_AUDIT_FILE and BREACHLINE_VAULT_AUDIT_DEVICE)');
        const hash = await deps.secrets.auditHash(source.device, accessor);
        const trace = await readTrace(source.file, hash, input.params.since);
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
