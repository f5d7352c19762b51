import { Command } from 'commander';

/** An empty `breachline` program: the root command with its description. */
export function rootProgram(): Command {
  return new Command('breachline').description('incident-response orchestrator for real-time data platforms').showHelpAfterError();
}

/** Adds one top-level command (and its subcommands) to the program. */
export type CommandRegistrar = (program: Command) => void;

/** A top-level command: what `breachline --help` lists, and the registrars that build it. */
export interface CommandEntry {
  name: string;
  summary: string;
  /** Exported function names, in the module `load` returns, that add this command. */
  registrars: readonly string[];
  /** Loads the modules holding the registrars (only when this command runs). */
  load: () => Promise<Record<string, unknown>>;
}

/**
 * Loads a command module on demand. The compiled CLI (`dist/`) is CommonJS and loads it with a
 * dynamic `import()`; `bin/breachline` without a build runs the sources under tsx's CommonJS hook,
 * which `import()` bypasses, so there it is a `require` (the same rule as the sandbox door).
 */
function lazily(viaRequire: () => Record<string, unknown>, viaImport: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  if (typeof require === 'function' && require.extensions['.ts'] !== undefined) return Promise.resolve(viaRequire());
  return viaImport();
}

/* eslint-disable @typescript-eslint/no-require-imports -- lazy loads under tsx's CommonJS hook, see `lazily` */
/**
 * Every top-level command. `breachline <name> …` loads only that entry's modules, so a quick
 * command does not pay for the worker, Temporal client and sandboxes that `start` needs.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'sandbox',
    summary: 'wire-compatible stand-ins for Temporal, Kafka, Vault and Slack',
    registrars: ['registerSandboxCommands'],
    load: () => lazily(() => require('./commands/sandbox'), () => import('./commands/sandbox.js')),
  },
  {
    name: 'start',
    summary: 'start breachline: the worker, ingress and the Slack app; with no address configured, the sandbox demo, durable under .breachline/data',
    registrars: ['registerStartCommand'],
    load: () => lazily(() => require('./commands/start'), () => import('./commands/start.js')),
  },
  {
    name: 'alert',
    summary: 'send a correctly signed SIEM alert for a scenario to the running ingress',
    registrars: ['registerAlertCommand'],
    load: () => lazily(() => require('./commands/alert'), () => import('./commands/alert.js')),
  },
  {
    name: 'slack',
    summary: "send a signed slash command to the running Slack app through the Slack sandbox and print the reply, e.g. '/ir status <id>'",
    registrars: ['registerSlackCommand'],
    load: () => lazily(() => require('./commands/slack'), () => import('./commands/slack.js')),
  },
  {
    name: 'drill',
    summary: 'tabletop drills: the real playbook in drill mode, against the embedded sandbox only',
    registrars: ['registerDrillCommand'],
    load: () => lazily(() => require('./commands/drill'), () => import('./commands/drill.js')),
  },
  {
    name: 'audit',
    summary: 'the hash-chained, signed audit topic',
    registrars: ['registerAuditCommands'],
    load: () => lazily(() => require('./commands/audit'), () => import('./commands/audit.js')),
  },
  {
    name: 'incident',
    summary: 'incidents',
    registrars: ['registerAuditCommands', 'registerRegisterCommands'],
    load: async () => ({
      ...(await lazily(() => require('./commands/audit'), () => import('./commands/audit.js'))),
      ...(await lazily(() => require('./commands/register'), () => import('./commands/register.js'))),
    }),
  },
  {
    name: 'clocks',
    summary: 'regulatory deadlines',
    registrars: ['registerClocksCommand'],
    load: () => lazily(() => require('./commands/clocks'), () => import('./commands/clocks.js')),
  },
  {
    name: 'register',
    summary: 'the breach register (GDPR Art. 33(5))',
    registrars: ['registerRegisterCommands'],
    load: () => lazily(() => require('./commands/register'), () => import('./commands/register.js')),
  },
  // Evidence at line rate (issue 13).
  {
    name: 'evidence',
    summary: 'preserved evidence: verify it, export it for a regulator, prove one record',
    registrars: ['registerEvidenceCommands'],
    load: () => lazily(() => require('./commands/evidence'), () => import('./commands/evidence.js')),
  },
  // Ingress as its own process(es) (issue 15, item 3).
  {
    name: 'ingress',
    summary: 'run the SIEM ingress alone against a configured Temporal; durable first whenever a Kafka is configured; optionally as several processes behind one port',
    registrars: ['registerIngressCommand'],
    load: () => lazily(() => require('./commands/ingress'), () => import('./commands/ingress.js')),
  },
  // The correlator as its own process (issue 15, storm).
  {
    name: 'correlator',
    summary: 'drain the durable alerts topic into Temporal in a process of its own (for `breachline ingress --no-correlator`)',
    registrars: ['registerCorrelatorCommand'],
    load: () => lazily(() => require('./commands/ingress'), () => import('./commands/ingress.js')),
  },
  // Temporal's codec endpoint (issue 15).
  {
    name: 'codec-server',
    summary: "serve Temporal's codec endpoint (POST /encode, /decode) so the Temporal UI shows encrypted payloads to authorised users",
    registrars: ['registerCodecServerCommand'],
    load: () => lazily(() => require('./commands/codec-server'), () => import('./commands/codec-server.js')),
  },
  // Runbooks as data (issue 17): routing and lint.
  {
    name: 'runbook',
    summary: 'runbooks: which one an alert would start and why (test), and validation of runbooks with their policy packs (lint)',
    registrars: ['registerRunbookCommands'],
    load: () => lazily(() => require('./commands/runbook'), () => import('./commands/runbook.js')),
  },
];
/* eslint-enable @typescript-eslint/no-require-imports */
