import type { Command } from 'commander';
import { auditEventsByIncident as eventsByIncident, readAuditRecords, verifyAuditRecords, type AuditRecord } from '../../audit/audit-reader';
import { breachRegister, registerToCsv, registerToJson, registerToMarkdown } from '../../domain/breach-register';
import { draftNotification } from '../../domain/notification-draft';
import { RegimeInputError } from '../../domain/regimes';
import { kafkaFor, resolveConnection, withConnectionOptions, type ConnectionFlags } from './audit';

/**
 * `breachline register export` (the GDPR Art. 33(5) breach register) and `breachline incident
 * draft <id> <regime> <stage>` (a notification draft): both rebuilt from the audit topic ALONE,
 * read with the same reader and connection flags as `incident timeline`. Both refuse a topic
 * whose hash chain does not verify: a register or draft built on tampered records is a forgery.
 */

const FORMATS = { csv: registerToCsv, md: registerToMarkdown, json: registerToJson } as const;

async function verifiedRecords(flags: ConnectionFlags, incidentId?: string): Promise<{ records: AuditRecord[]; topic: string } | undefined> {
  const { connection, topic } = await resolveConnection(flags);
  const records = await readAuditRecords(kafkaFor(connection), topic, incidentId === undefined ? {} : { incidentId });
  const verdict = verifyAuditRecords(records);
  if (!verdict.ok) {
    process.stderr.write(`audit topic ${topic}: chain broken at record ${verdict.index} (offset ${verdict.offset ?? '?'}), nothing exported: ${verdict.message}\n`);
    process.exitCode = 1;
    return undefined;
  }
  return { records, topic };
}

/** Registers `register export` and `incident draft`. */
export function registerRegisterCommands(program: Command): void {
  const register = program.commands.find((c) => c.name() === 'register') ?? program.command('register').description('the breach register (GDPR Art. 33(5))');
  withConnectionOptions(
    register
      .command('export')
      .description('every incident, notifiable or not, open or closed: facts, effects, remedial action, decisions, filings')
      .option('--format <format>', `output format: ${Object.keys(FORMATS).join(', ')}`, 'csv'),
  ).action(async (options: ConnectionFlags & { format: string }) => {
    const render = FORMATS[options.format as keyof typeof FORMATS] as (typeof FORMATS)[keyof typeof FORMATS] | undefined;
    if (render === undefined) {
      process.stderr.write(`breachline register export: --format: unknown format "${options.format}"; expected one of ${Object.keys(FORMATS).join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    const read = await verifiedRecords(options);
    if (read !== undefined) process.stdout.write(render(breachRegister(eventsByIncident(read.records))));
  });

  const incident = program.commands.find((c) => c.name() === 'incident') ?? program.command('incident').description('incidents');
  withConnectionOptions(
    incident.command('draft <id> <regime> <stage>').description('a notification draft (Markdown) for one regime stage, built from the audit topic alone'),
  ).action(async (id: string, regime: string, stage: string, options: ConnectionFlags) => {
    const read = await verifiedRecords(options, id);
    if (read === undefined) return;
    const [events] = eventsByIncident(read.records);
    if (events === undefined) throw new Error(`no audit records for incident ${id} on ${read.topic}`);
    try {
      process.stdout.write(draftNotification(events, regime, stage));
    } catch (err) {
      if (!(err instanceof RegimeInputError)) throw err;
      process.stderr.write(`breachline incident draft: <stage>: ${err.message}\n`);
      process.exitCode = 2;
    }
  });
}
