import { defaultStateFile, readRunState } from '../../app/state-file';
import type { Command } from 'commander';
import { AuditChainBrokenError, projectIncident, readAuditRecords, recordIncident, verifyAuditRecords } from '../../audit/audit-reader';
import { loadConfig } from '../../config/config';
import { createKafka, type KafkaConnection } from '../../kafka/client';
import { silentLogger } from '../../log/logger';

/**
 * `breachline audit verify` and `breachline incident timeline`: both read the audit topic ALONE
 * (no Temporal, no workflow state), so an auditor can check the record with nothing but Kafka
 * read access.
 *
 * Where Kafka is: the configuration (`BREACHLINE_KAFKA_BROKERS`, `_USERNAME`, `_PASSWORD`,
 * `_SASL_MECHANISM`, `_AUDIT_TOPIC`, or `BREACHLINE_CONFIG_FILE`), overridden by the flags
 * `--brokers/--username/--password/--mechanism/--topic`. For the embedded sandbox, pass the
 * connection that `breachline sandbox up --only kafka --json` prints. Prefer the environment for
 * the password: flags are visible in the process list.
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
  if (!brokers || brokers.length === 0 || !username || !password) {
    throw new Error('no Kafka to read: pass --brokers/--username/--password or set BREACHLINE_KAFKA_BROKERS/_USERNAME/_PASSWORD');
  }
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) throw new Error(`unknown SASL mechanism ${mechanism}; expected one of ${MECHANISMS.join(', ')}`);
  return {
    connection: { brokers, username, password, saslMechanism: mechanism as KafkaConnection['saslMechanism'], ssl: config.kafka.ssl },
    topic: flags.topic ?? config.kafka.auditTopic,
  };
}

/** A quiet kafkajs client for the CLI. */
export function kafkaFor(connection: KafkaConnection): ReturnType<typeof createKafka> {
  return createKafka(connection, { clientId: 'breachline-cli', logger: silentLogger, overrides: { retry: { retries: 2, initialRetryTime: 100 } } });
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Registers `audit verify` and `incident timeline` on the program. */
export function registerAuditCommands(program: Command): void {
  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('the hash-chained audit topic');
  withConnectionOptions(
    audit
      .command('verify')
      .description('walk the audit topic and report the first broken link, gap, reorder or duplicate (exit 1 when broken)')
      .option('--incident <id>', 'only this incident')
      .option('--json', 'machine-readable output'),
  ).action(async (options: ConnectionFlags & { incident?: string; json?: boolean }) => {
    const { connection, topic } = await resolveConnection(options);
    const records = await readAuditRecords(kafkaFor(connection), topic, options.incident === undefined ? {} : { incidentId: options.incident });
    const verdict = verifyAuditRecords(records);
    if (options.json) print(JSON.stringify({ topic, ...(options.incident !== undefined ? { incidentId: options.incident } : {}), ...verdict }));
    else if (verdict.ok) {
      const incidents = new Set(records.map((r) => recordIncident(r))).size;
      print(`audit topic ${topic}: ${verdict.records} records, ${incidents} incident(s), every chain intact`);
    } else {
      print(`audit topic ${topic}: BROKEN at record ${verdict.index} (offset ${verdict.offset ?? '?'}): ${verdict.reason}`);
      print(`  ${verdict.message}`);
    }
    if (!verdict.ok) process.exitCode = 1;
  });

  const incident = program.commands.find((c) => c.name() === 'incident') ?? program.command('incident').description('incidents');
  withConnectionOptions(
    incident
      .command('timeline <id>')
      .description('the incident timeline rebuilt from the audit topic alone (refused when its chain is broken)')
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
    for (const e of projection.timeline) print(`${e.at}  #${String(e.seq).padStart(3)}  ${e.type.padEnd(26)} ${e.summary}`);
  });
}
