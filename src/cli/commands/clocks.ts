import type { Command } from 'commander';
import {
  computeRegime,
  formatLocal,
  isRegimeId,
  REGIME_IDS,
  RegimeInputError,
  type EntityCalendar,
  type RegimeDeadlines,
  type RegimeFacts,
  type RegimeId,
} from '../../domain/regimes';

/**
 * `breachline clocks compute`: the deadline calculator on its own, so anyone can check by hand
 * what the clock workflows will hold an incident to. Same pure function as the workflows.
 *
 * Entity defaults when `--country`/`--timezone` are not given (the runbook's entity is what the
 * workflows use): EU regimes (gdpr, dora, nis2) DE / Europe/Berlin; uk-gdpr GB / Europe/London;
 * US regimes (sec-8k, nydfs, hipaa) US / America/New_York. Weekend relief (DORA) is off unless
 * `--weekend-relief` is given.
 */

/** Default entity calendar per regime, for the calculator when no entity is given. */
export const DEFAULT_ENTITY: Readonly<Record<RegimeId, { country: string; timeZone: string }>> = {
  gdpr: { country: 'DE', timeZone: 'Europe/Berlin' },
  'uk-gdpr': { country: 'GB', timeZone: 'Europe/London' },
  dora: { country: 'DE', timeZone: 'Europe/Berlin' },
  nis2: { country: 'DE', timeZone: 'Europe/Berlin' },
  'sec-8k': { country: 'US', timeZone: 'America/New_York' },
  nydfs: { country: 'US', timeZone: 'America/New_York' },
  hipaa: { country: 'US', timeZone: 'America/New_York' },
};

interface ComputeOptions {
  regime: string;
  aware: string;
  classified?: string;
  classification?: string;
  determined?: string;
  discovered?: string;
  filed: string[];
  country?: string;
  timezone?: string;
  weekendRelief?: boolean;
  json?: boolean;
}

/** Bad command-line input: `option` is the flag named in the one-line message. */
class OptionError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

/** Which flag carries each calculator input, to name it in an error. */
const OPTION_OF_FIELD: Record<string, string> = {
  awareAt: '--aware',
  classifiedAt: '--classified',
  determinedAt: '--determined',
  discoveredAt: '--discovered',
  timeZone: '--timezone',
  country: '--country',
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--filed initial=2026-03-24T13:00:00Z` (repeatable) → { initial: '2026-03-24T13:00:00Z' }. */
function parseFiled(values: readonly string[]): Record<string, string> {
  const filed: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0 || eq === value.length - 1) throw new OptionError('--filed', `"${value}" is not <stage>=<ISO instant>`);
    filed[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return filed;
}

function factsFrom(options: ComputeOptions): RegimeFacts {
  const classification = options.classification ?? (options.classified !== undefined ? 'major' : undefined);
  if (classification !== undefined && classification !== 'major' && classification !== 'not-major') {
    throw new OptionError('--classification', `"${classification}" is neither major nor not-major`);
  }
  const facts: RegimeFacts = { awareAt: options.aware, filed: parseFiled(options.filed) };
  if (options.classified !== undefined) facts.classifiedAt = options.classified;
  if (classification !== undefined) facts.classification = classification;
  if (options.determined !== undefined) facts.determinedAt = options.determined;
  if (options.discovered !== undefined) facts.discoveredAt = options.discovered;
  return facts;
}

/** Runs the calculator for the parsed options; input errors come back as OptionError. */
export function computeFromOptions(options: ComputeOptions): { deadlines: RegimeDeadlines; entity: EntityCalendar } {
  if (!isRegimeId(options.regime)) throw new OptionError('--regime', `unknown regime "${options.regime}"; expected one of ${REGIME_IDS.join(', ')}`);
  const defaults = DEFAULT_ENTITY[options.regime];
  const entity: EntityCalendar = {
    country: (options.country ?? defaults.country).toUpperCase(),
    timeZone: options.timezone ?? defaults.timeZone,
    weekendRelief: options.weekendRelief === true,
  };
  const facts = factsFrom(options);
  try {
    return { deadlines: computeRegime(options.regime, facts, entity), entity };
  } catch (err) {
    if (err instanceof RegimeInputError) {
      const option = err.field.startsWith('filed.') ? '--filed' : (OPTION_OF_FIELD[err.field] ?? err.field);
      const prefix = `${err.field}: `;
      throw new OptionError(option, err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message);
    }
    throw err;
  }
}

/**
 * The `--json` form, written with `": "` and `", "` separators as the issue spells it:
 * `{"regime": "<id>", "stages": [{"stage": "<name>", "due": "<ISO-8601 UTC>" | null, "rule": "…"}]}`.
 */
export function deadlinesJson(deadlines: RegimeDeadlines): string {
  const q = (s: string): string => JSON.stringify(s);
  const stages = deadlines.stages.map((s) => `{"stage": ${q(s.stage)}, "due": ${s.due === null ? 'null' : q(s.due)}, "rule": ${q(s.rule)}}`);
  return `{"regime": ${q(deadlines.regime)}, "stages": [${stages.join(', ')}]}`;
}

/** The human table: stage, due in UTC, due in the entity's local time, rule. */
export function deadlinesTable(deadlines: RegimeDeadlines, entity: EntityCalendar): string {
  const rows = deadlines.stages.map((s) => {
    const ms = s.due === null ? undefined : Date.parse(s.due);
    return [s.stage, s.due ?? '-', ms === undefined ? '-' : formatLocal(ms, entity.timeZone), s.rule];
  });
  const header = ['STAGE', 'DUE (UTC)', `DUE (${entity.timeZone})`, 'RULE'];
  const widths = [0, 1, 2].map((i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ');
  const relief = entity.weekendRelief ? 'on' : 'off';
  return [`${deadlines.regime}: entity ${entity.country}, ${entity.timeZone}, weekend relief ${relief}`, line(header), ...rows.map(line)].join('\n');
}

/** Registers `clocks compute` on the program. */
export function registerClocksCommand(program: Command): void {
  const clocks = program.commands.find((c) => c.name() === 'clocks') ?? program.command('clocks').description('regulatory deadlines');
  clocks
    .command('compute')
    .description('compute every stage of a regime from the facts given (the same calculator the clock workflows use)')
    .requiredOption('--regime <id>', `regime: ${REGIME_IDS.join(', ')}`)
    .requiredOption('--aware <ISO>', 'awareness, ISO-8601 with Z or an offset')
    .option('--classified <ISO>', 'DORA: classification as major')
    .option('--classification <major|not-major>', 'DORA classification (default major when --classified is given)')
    .option('--determined <ISO>', 'SEC materiality / NYDFS determination')
    .option('--discovered <ISO>', 'HIPAA discovery (default: --aware)')
    .option('--filed <stage=ISO>', 'a stage filed at an instant (repeatable)', collect, [])
    .option('--country <CC>', 'entity country for public holidays (default per regime: DE, GB or US)')
    .option('--timezone <IANA>', 'entity time zone (default per regime: Europe/Berlin, Europe/London or America/New_York)')
    .option('--weekend-relief', 'DORA: a due on a weekend or holiday moves to 12:00 local on the next working day')
    .option('--json', 'print {"regime", "stages": [{"stage", "due", "rule"}]}')
    .action((options: ComputeOptions) => {
      let result;
      try {
        result = computeFromOptions(options);
      } catch (err) {
        if (!(err instanceof OptionError)) throw err;
        process.stderr.write(`breachline clocks compute: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`${options.json === true ? deadlinesJson(result.deadlines) : deadlinesTable(result.deadlines, result.entity)}\n`);
    });
}
