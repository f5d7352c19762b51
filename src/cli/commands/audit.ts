import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { defaultStateFile, readRunState } from '../../app/state-file';
import { AUDIT_SIGNING_KEY } from '../../audit/audit-writer';
import { AuditChainBrokenError, projectIncident, readAuditRecords, type AuditRecord } from '../../audit/audit-reader';
import { inspectAuditTopic, verifyAuditTopic, type AuditReport } from '../../audit/audit-verify';
import { loadConfig } from '../../config/config';
import type { TimelineEntry } from '../../domain/incident';
import { createKafka, type KafkaConnection } from '../../kafka/client';
import { silentLogger } from '../../log/logger';
import { kafkaSecurity, vaultSecurity } from '../../app/secured-connections';
import { createVaultSecrets, type SecretsPort } from '../../vault/index';
import { publicKeysExport, publicKeysPem, resolveTrust, type TrustFlags } from './audit-trust';

/**
 * `breachline audit verify`, `audit public-key` and `incident timeline`. Verify and timeline read
 * the audit topic ALONE (no Temporal, no workflow state); verify also needs what it trusts: the
 * signing key's PUBLIC key (`--public-key <file>`, or Vault) and the anchor (`--anchor <file>`, or
 * Vault KV). Without either it checks what it can, says what it did not check, and still fails a
 * topic that carries signatures it cannot check.
 *
 * Where Kafka is: the configuration (`BREACHLINE_KAFKA_BROKERS`, `_USERNAME`, `_PASSWORD`,
 * `_SASL_MECHANISM`, `_AUDIT_TOPIC`, or `BREACHLINE_CONFIG_FILE`), overridden by the flags
 * `--brokers/--username/--password/--mechanism/--topic`. Vault: `BREACHLINE_VAULT_ADDRESS` and
 * `BREACHLINE_VAULT_TOKEN`. Prefer the environment for secrets: flags are visible in the process list.
 */

/** The Kafka connection flags shared by every command that reads the audit topic. */
export interface ConnectionFlags {
  brokers?: string;
  username?: string;
  password?: string;
  mechanism?: string;
  topic?: string;
  stateFile?: string;
}

const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** Adds the connection flags to a command that reads the audit topic. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option('--brokers <list>', 'comma-separated host:port list (default: config / BREACHLINE_KAFKA_BROKERS)')
    .option('--username <name>', 'SASL username (default: config / BREACHLINE_KAFKA_USERNAME)')
    .option('--password <password>', 'SASL password (prefer BREACHLINE_KAFKA_PASSWORD)')
    .option('--mechanism <mechanism>', `SASL mechanism: ${MECHANISMS.join(', ')}`)
    .option('--topic <topic>', 'audit topic (default: config kafka.auditTopic)')
    .option('--state-file <path>', 'with no Kafka configured: the running instance started by `breachline start` (default .breachline/run.json)');
}

/**
 * Config first, flags over it; with neither, the Kafka sandbox of a running `breachline start`
 * (its state file). Fails with one message naming what is missing.
 */
export async function resolveConnection(flags: ConnectionFlags): Promise<{ connection: KafkaConnection; topic: string }> {
  const config = loadConfig();
  if (!flags.brokers && !config.kafka.brokers) {
    const running = await readRunState(flags.stateFile ?? defaultStateFile()).catch(() => undefined);
    if (running?.kafka) {
      const { auditTopic, ...connection } = running.kafka;
      return { connection, topic: flags.topic ?? auditTopic };
    }
  }
  const brokers = flags.brokers?.split(',').map((b) => b.trim()).filter(Boolean) ?? config.kafka.brokers;
  const username = flags.username ?? config.kafka.username;
  const password = flags.password ?? config.kafka.password;
  const mechanism = flags.mechanism ?? config.kafka.saslMechanism;
  const security = kafkaSecurity(config.kafka);
  if (brokers && brokers.length > 0 && mechanism === 'oauthbearer' && security.oauthBearer) {
    return { connection: { brokers, username: username ?? 'oauth', password: '', saslMechanism: 'oauthbearer', ...security }, topic: flags.topic ?? config.kafka.auditTopic };
  }
  if (!brokers || brokers.length === 0 || !username || !password) {
    throw new Error('no Kafka to read: pass --brokers/--username/--password or set BREACHLINE_KAFKA_BROKERS/_USERNAME/_PASSWORD');
  }
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) throw new Error(`unknown SASL mechanism ${mechanism}; expected one of ${MECHANISMS.join(', ')}`);
  return {
    connection: { brokers, username, password, saslMechanism: mechanism as KafkaConnection['saslMechanism'], ...security },
    topic: flags.topic ?? config.kafka.auditTopic,
  };
}

/**
 * Vault from the configuration, or else the Vault sandbox of a running `breachline start` demo
 * (its state file), as the Kafka connection is found.
 */
export async function configuredVault(stateFile?: string): Promise<SecretsPort | undefined> {
  const { vault } = loadConfig();
  const mounts = { kvMount: vault.kvMount, transitMount: vault.transitMount, requestTimeoutMs: 5000 };
  if (vault.address !== undefined) return createVaultSecrets({ address: vault.address, ...vaultSecurity(vault), ...mounts });
  const running = await readRunState(stateFile ?? defaultStateFile()).catch(() => undefined);
  return running?.vault !== undefined ? createVaultSecrets({ address: running.vault.address, token: running.vault.token, ...mounts }) : undefined;
}

/** A quiet kafkajs client for the CLI. */
export function kafkaFor(connection: KafkaConnection): ReturnType<typeof createKafka> {
  return createKafka(connection, { clientId: 'breachline-cli', logger: silentLogger, overrides: { retry: { retries: 2, initialRetryTime: 100 } } });
}

let pipeGuarded = false;

/**
 * Writes a line to stdout. A closed pipe (`| head`) ends the command quietly with exit 0: the
 * reader has what it wanted, and a stack trace there would only be noise.
 */
export function print(text: string): void {
  if (!pipeGuarded) {
    pipeGuarded = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  process.stdout.write(`${text}\n`);
}

/** Timeline entries in time order (seq breaks ties), each with its seq. */
function printEvents(entries: readonly TimelineEntry[], indent = ''): void {
  const ordered = [...entries].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
  for (const e of ordered) print(`${indent}${e.at}  #${String(e.seq).padStart(3)}  ${e.type.padEnd(26)} ${e.summary}`);
}

function printReport(report: AuditReport, records: readonly AuditRecord[], withEvents: boolean): void {
  const ids = Object.keys(report.incidents).sort();
  const notChecked = Object.entries(report.checked).filter(([, v]) => !v).map(([k]) => k);
  print(`audit topic ${report.topic}: ${report.records} records, ${ids.length} incident(s)${notChecked.length > 0 ? ` (not checked: ${notChecked.join(', ')})` : ''}`);
  for (const id of ids) {
    const inc = report.incidents[id];
    if (inc === undefined) continue;
    print(`  ${inc.ok ? 'ok    ' : 'BROKEN'} ${id}: seq 1..${inc.lastSeq}${inc.closed ? ' closed' : ''}, ${inc.checkpoints} checkpoint(s), signed through seq ${inc.signedThroughSeq}`);
    if (withEvents && inc.ok) {
      const projection = projectIncident(records, id);
      if (projection !== undefined) printEvents(projection.timeline, '      ');
    }
  }
  if (report.ok) print('every chain intact' + (report.checked.signatures ? ', every record signed' : '') + (report.checked.anchor ? ', anchor matches' : ''));
  else for (const f of report.failures) print(`FAILED ${f.check}: ${f.message}`);
}

/** Registers `audit verify`, `audit public-key` and `incident timeline` on the program. */
export function registerAuditCommands(program: Command): void {
  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('the hash-chained, signed audit topic');
  withConnectionOptions(
    audit
      .command('verify')
      .description('check chains, signatures, checkpoints, truncation, retention and the anchor (exit 1 with the reason on any failure)')
      .option('--incident <id>', 'only this incident (topic-wide checks still apply); prints its events')
      .option('--events', "print each intact incident's events in time order")
      .option('--public-key <file>', 'verify offline with this public key (Vault export JSON or PEM) instead of reading it from Vault')
      .option('--anchor <file>', 'the anchor (JSON, as stored in Vault KV) instead of reading it from Vault')
      .option('--signing-key <name>', `transit key name (default ${AUDIT_SIGNING_KEY})`)
      .option('--anchor-path <path>', 'KV v2 path of the anchor (default breachline/audit-anchor/<topic>)')
      .option('--json', 'machine-readable output'),
  ).action(async (options: ConnectionFlags & TrustFlags & { incident?: string; json?: boolean; events?: boolean }) => {
    const { connection, topic } = await resolveConnection(options);
    const trust = await resolveTrust(options, topic, await configuredVault(options.stateFile));
    const facts = await inspectAuditTopic(kafkaFor(connection), topic);
    const report = verifyAuditTopic(facts, { ...trust, ...(options.incident !== undefined ? { incidentId: options.incident } : {}) });
    if (options.json) print(JSON.stringify({ ...(options.incident !== undefined ? { incidentId: options.incident } : {}), ...report }));
    else printReport(report, facts.records, options.events === true || options.incident !== undefined);
    if (!report.ok) process.exitCode = 1;
  });

  audit
    .command('public-key')
    .description("export the audit signing key's public key from Vault (Vault's export JSON, or PEM with --pem) for offline verification")
    .option('--signing-key <name>', `transit key name (default ${AUDIT_SIGNING_KEY})`)
    .option('--pem', 'PEM (SPKI) instead of Vault export JSON; one block per key version')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--state-file <path>', 'a running `breachline start` whose Vault sandbox to ask (default .breachline/run.json)')
    .action(async (options: { signingKey?: string; pem?: boolean; out?: string; stateFile?: string }) => {
      const secrets = await configuredVault(options.stateFile);
      if (secrets === undefined) throw new Error('no Vault configured: set BREACHLINE_VAULT_ADDRESS and BREACHLINE_VAULT_TOKEN');
      const info = await secrets.publicKeys(options.signingKey ?? AUDIT_SIGNING_KEY);
      const text = options.pem ? publicKeysPem(info) : `${JSON.stringify(publicKeysExport(info), null, 2)}\n`;
      if (options.out !== undefined) await writeFile(options.out, text);
      else process.stdout.write(text);
    });

  const incident = program.commands.find((c) => c.name() === 'incident') ?? program.command('incident').description('incidents');
  withConnectionOptions(
    incident
      .command('timeline <id>')
      .description('the incident timeline rebuilt from the audit topic alone, in time order with seq (refused when its chain is broken)')
      .option('--json', 'machine-readable output'),
  ).action(async (id: string, options: ConnectionFlags & { json?: boolean }) => {
    const { connection, topic } = await resolveConnection(options);
    const records = await readAuditRecords(kafkaFor(connection), topic, { incidentId: id });
    let projection;
    try {
      projection = projectIncident(records, id);
    } catch (err) {
      if (err instanceof AuditChainBrokenError) {
        if (options.json) print(JSON.stringify({ incidentId: id, error: 'chain-broken', verification: err.verification }));
        else print(`incident ${id}: audit chain broken, no timeline: ${err.verification.message}`);
        process.exitCode = 1;
        return;
      }
      throw err;
    }
    if (projection === undefined) throw new Error(`no audit records for incident ${id} on ${topic}`);
    if (options.json) {
      print(JSON.stringify({ incidentId: id, status: projection.state.status, title: projection.state.title, timeline: projection.timeline }));
      return;
    }
    print(`${projection.state.title} (${id}) — ${projection.state.status}`);
    printEvents(projection.timeline);
  });
}
