import type { DomainEvent } from '../domain/events';
import type { IncidentState } from '../domain/incident';
import { seedVaultTokenLeakScenario } from '../app/sandbox-door';
import type { AccuracyCheck, DrillScenario, ScenarioTruth } from './scenario-registry';
import { tradingAccuracy } from './trading-exfiltration';

/*
 * The leaked-Vault-token drill (issue 17, item 4): the CI deployer's token leaked, the attacker read
 * secrets through it and a child token, Kafka credentials among them, and consumed `payments` as
 * one of those accounts. Accuracy: the forensic window is exact (the trading checks, on
 * `payments`), every secret read has a new version, the token and its child are revoked, and every
 * principal whose credentials were read is contained — each as its own check.
 */

const NAME = 'vault-token-leak';

/** The scenario's ground truth as the registry carries it (JSON). */
export interface VaultLeakTruth extends ScenarioTruth {
  scenario: typeof NAME;
  tokenAccessors: { leaked: string; child: string };
  pathsRead: string[];
  versionsBefore: Record<string, number>;
  exposedPrincipals: string[];
  topic: string;
  partitions: Array<{ partition: number; from: string; to: string; records: string; bytes: string }>;
  totals: { records: string; bytes: string };
  dataSubjects: number;
}

const KAFKA_ACCOUNT_PATH = /^kafka\/service-accounts\/([A-Za-z0-9._-]+)$/;

/** The version a response wrote for `path`, from its events: rotate-credentials' or vault.rotate-kv's. */
function rotatedVersion(path: string, events: readonly DomainEvent[]): number | undefined {
  let version: number | undefined;
  for (const e of events) {
    if (e.type === 'CredentialRotated' && e.data.vaultPath === path) version = Math.max(version ?? 0, e.data.vaultVersion);
    if (e.type === 'ActionPerformed' && e.data.action === 'vault.rotate-kv') {
      const line = e.data.details[path];
      const m = typeof line === 'string' ? /→ (\d+)$/.exec(line) : null;
      if (m !== null) version = Math.max(version ?? 0, Number(m[1]));
      else if (e.data.details.path === path && typeof e.data.details.version === 'number') version = Math.max(version ?? 0, e.data.details.version);
    }
  }
  return version;
}

/** What the revocation steps said of an accessor. */
function revocation(accessor: string, events: readonly DomainEvent[]): string | undefined {
  let said: string | undefined;
  for (const e of events) {
    if (e.type === 'ActionPerformed' && e.data.action === 'vault.revoke-token-accessor' && typeof e.data.details[accessor] === 'string') said ??= e.data.details[accessor];
    if (e.type === 'CredentialRevoked' && e.data.credential === 'vault-token' && e.data.reference === accessor) said ??= 'revoked';
  }
  return said;
}

/** Accuracy checks of a response against the leak's ground truth (pure). */
export function vaultLeakAccuracy(state: IncidentState, truth: ScenarioTruth, events: readonly DomainEvent[]): AccuracyCheck[] {
  const t = truth as VaultLeakTruth;
  const window = tradingAccuracy(state, { topic: t.topic, partitions: t.partitions, totals: t.totals, dataSubjects: t.dataSubjects });
  const rotations = t.pathsRead.map((path): AccuracyCheck => {
    const before = t.versionsBefore[path] ?? 0;
    const now = rotatedVersion(path, events);
    const how = KAFKA_ACCOUNT_PATH.test(path) ? 'SCRAM and Vault' : 'Vault';
    return { name: `secret ${path} rotated (${how})`, expected: `a version after ${before}`, ...(now !== undefined ? { measured: `version ${now}` } : {}), ok: now !== undefined && now > before };
  });
  const leaked = revocation(t.tokenAccessors.leaked, events);
  const child = revocation(t.tokenAccessors.child, events);
  const contained = new Set(events.filter((e) => e.type === 'AccessRevoked').map((e) => (e.type === 'AccessRevoked' ? e.data.principal : '')));
  return [
    ...window,
    ...rotations,
    { name: 'leaked token revoked', expected: 'revoked', ...(leaked !== undefined ? { measured: leaked } : {}), ok: leaked?.startsWith('revoked') === true },
    // The child dies with its parent: found by the trace and gone, by its own revocation or its parent's.
    { name: 'child token revoked', expected: 'revoked', ...(child !== undefined ? { measured: child } : {}), ok: child !== undefined && (child.startsWith('revoked') || (child === 'already gone' && leaked?.startsWith('revoked') === true)) },
    ...t.exposedPrincipals.map((p): AccuracyCheck => ({ name: `${p} contained`, expected: 'access revoked', ...(contained.has(p) ? { measured: 'access revoked' } : {}), ok: contained.has(p) })),
  ];
}

/** The vault-token-leak drill scenario. */
export const vaultTokenLeak: DrillScenario = {
  name: NAME,
  runbookId: 'vault-token-leak',
  // The SIEM names the leaked token by its accessor, which the seeder created (`truth`).
  alertPayload: (now, id, truth) => ({
    id,
    rule: 'vault-token-anomalous-reads',
    title: 'The CI deployer’s Vault token reads secrets from an unknown address',
    severity: 'critical',
    asset: 'vault:ci-deployer',
    fields: { accessor: (truth as Partial<VaultLeakTruth> | undefined)?.tokenAccessors?.leaked ?? 'unknown' },
    observedAt: now.toISOString(),
  }),
  alertInject: 'The SIEM raised a critical alert (vault-token-anomalous-reads): the CI deployer’s Vault token reads secrets from an address it never used.',
  async seed(ctx) {
    const seeded = await seedVaultTokenLeakScenario({ kafka: ctx.kafka, secrets: ctx.secrets, vault: ctx.vault, scenarioEnd: ctx.scenarioEnd, logger: ctx.logger });
    const truth: VaultLeakTruth = {
      scenario: NAME,
      tokenAccessors: seeded.tokenAccessors,
      pathsRead: seeded.pathsRead,
      versionsBefore: seeded.versionsBefore,
      exposedPrincipals: seeded.exposedPrincipals,
      topic: seeded.topic,
      partitions: seeded.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes })),
      totals: seeded.totals,
      dataSubjects: seeded.dataSubjects,
    };
    return { truth, deps: { vaultAudit: seeded.audit } };
  },
  accuracy: vaultLeakAccuracy,
};
