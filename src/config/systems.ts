import { ConfigError, type Config } from './config';

/**
 * The external systems breachline acts on. Each has an address in the configuration, or, only when
 * asked for, a wire-compatible sandbox stands in for it (design §5).
 */
export const SYSTEMS = ['temporal', 'kafka', 'vault', 'slack'] as const;
/** One of {@link SYSTEMS}. */
export type SystemName = (typeof SYSTEMS)[number];

/** The setting that gives each system its address: environment variable and config file path. */
export const SYSTEM_ADDRESS: Readonly<Record<SystemName, { env: string; path: string }>> = {
  temporal: { env: 'BREACHLINE_TEMPORAL_ADDRESS', path: 'temporal.address' },
  kafka: { env: 'BREACHLINE_KAFKA_BROKERS', path: 'kafka.brokers' },
  vault: { env: 'BREACHLINE_VAULT_ADDRESS', path: 'vault.address' },
  slack: { env: 'BREACHLINE_SLACK_API_URL', path: 'slack.apiUrl' },
};

/** The systems whose address the configuration gives. */
export function configuredSystems(config: Config): SystemName[] {
  const has: Record<SystemName, boolean> = {
    temporal: config.temporal.address !== undefined,
    kafka: config.kafka.brokers !== undefined,
    vault: config.vault.address !== undefined,
    slack: config.slack.apiUrl !== undefined,
  };
  return SYSTEMS.filter((s) => has[s]);
}

/** Parses `--sandbox kafka,vault` into system names, rejecting unknown ones. */
export function parseSystemNames(value: string): SystemName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(SYSTEMS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown system ${unknown.join(', ')}; expected some of ${SYSTEMS.join(', ')}`);
  if (names.length === 0) throw new Error(`name at least one system: ${SYSTEMS.join(', ')}`);
  return [...new Set(names)] as SystemName[];
}

/** Raised when some systems are configured and others are neither configured nor named as stand-ins. */
export class MissingSystemsError extends ConfigError {
  constructor(readonly missing: readonly SystemName[], hint: string) {
    super([...missing.map((s) => `${s}: no address; set ${SYSTEM_ADDRESS[s].env} (or ${SYSTEM_ADDRESS[s].path} in the config file)`), hint]);
    this.name = 'MissingSystemsError';
  }
}

/** How the main command will reach each system. */
export interface SystemPlan {
  /**
   * `demo`: nothing configured and no `--sandbox` flag, every system is a sandbox (announced);
   * `configured`: every system has an address; `mixed`: the rest stand in because `--sandbox` says so.
   */
  mode: 'demo' | 'configured' | 'mixed';
  /** Systems a sandbox stands in for. */
  standIns: SystemName[];
}

/**
 * Decides which sandboxes the main command starts (design §5), and refuses silent ones: with no
 * address at all it is the sandbox demo; as soon as one address is configured, every other system
 * must be configured too, or be named in `--sandbox`. Naming a configured system there is an error
 * (which of the two was meant is not ours to guess). Every problem is listed at once.
 */
export function planSystems(config: Config, requested?: readonly SystemName[]): SystemPlan {
  const configured = configuredSystems(config);
  if (configured.length === 0 && requested === undefined) return { mode: 'demo', standIns: [...SYSTEMS] };
  const asked = requested ?? [];
  const clash = asked.filter((s) => configured.includes(s));
  const missing = SYSTEMS.filter((s) => !configured.includes(s) && !asked.includes(s));
  if (clash.length > 0) {
    throw new ConfigError(clash.map((s) => `${s}: named in --sandbox but ${SYSTEM_ADDRESS[s].env} is configured; drop one of the two`));
  }
  if (missing.length > 0) {
    throw new MissingSystemsError(missing, `a configured address means every system must be configured; to stand a sandbox in explicitly, pass --sandbox ${missing.join(',')}`);
  }
  const standIns = SYSTEMS.filter((s) => asked.includes(s));
  return { mode: standIns.length === 0 ? 'configured' : 'mixed', standIns };
}

// Stand-ins for the outside services of the generic actions (issue 17, "standins"): `--sandbox`
// names them beside the systems. They are not systems breachline needs to start, so they never
// make a start "mixed"; each is started only when named, or in the demo.

/** Outside services of the generic actions a stand-in can take the place of (`page`, `ticket`, `http`). */
export const SERVICE_STAND_INS = ['pagerduty', 'opsgenie', 'jira', 'webhook'] as const;
/** One of {@link SERVICE_STAND_INS}. */
export type ServiceStandIn = (typeof SERVICE_STAND_INS)[number];

/**
 * The variable that points an action at the real service, per stand-in; the webhook has none (an
 * `http` step names its URL itself), so naming it never clashes.
 */
export const SERVICE_ADDRESS: Readonly<Record<ServiceStandIn, { env: string; path: string; key: 'pagerdutyUrl' | 'opsgenieUrl' | 'jiraUrl' } | undefined>> = {
  pagerduty: { env: 'BREACHLINE_PAGERDUTY_URL', path: 'actions.pagerdutyUrl', key: 'pagerdutyUrl' },
  opsgenie: { env: 'BREACHLINE_OPSGENIE_URL', path: 'actions.opsgenieUrl', key: 'opsgenieUrl' },
  jira: { env: 'BREACHLINE_JIRA_URL', path: 'actions.jiraUrl', key: 'jiraUrl' },
  webhook: undefined,
};

/** What `--sandbox` names: systems and outside-service stand-ins, each list deduplicated. */
export interface SandboxRequest {
  /** Absent when the flag names no system, so a flag naming only services keeps the demo a demo. */
  systems?: SystemName[];
  services: ServiceStandIn[];
}

/** Parses `--sandbox kafka,pagerduty,jira` into systems and stand-ins, rejecting unknown names. */
export function parseSandboxNames(value: string): SandboxRequest {
  const valid: readonly string[] = [...SYSTEMS, ...SERVICE_STAND_INS];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !valid.includes(n));
  if (unknown.length > 0) throw new Error(`unknown sandbox ${unknown.join(', ')}; expected some of ${valid.join(', ')}`);
  if (names.length === 0) throw new Error(`name at least one sandbox: ${valid.join(', ')}`);
  const systems = SYSTEMS.filter((s) => names.includes(s));
  const services = SERVICE_STAND_INS.filter((s) => names.includes(s));
  return { ...(systems.length > 0 ? { systems } : {}), services };
}

/**
 * Which outside-service stand-ins the main command starts. Named ones always; in the demo every
 * one whose address is not configured (a configured address there is the operator's choice). A
 * production start starts none unless named. Naming a stand-in whose variable is also set is an
 * error naming both (which of the two was meant is not ours to guess).
 */
export function planServiceStandIns(config: Pick<Config, 'actions'>, mode: SystemPlan['mode'], requested: readonly ServiceStandIn[] = []): ServiceStandIn[] {
  const configured = (s: ServiceStandIn): boolean => {
    const address = SERVICE_ADDRESS[s];
    return address !== undefined && config.actions[address.key] !== undefined;
  };
  const clash = requested.filter(configured);
  if (clash.length > 0) {
    throw new ConfigError(clash.map((s) => `${s}: named in --sandbox but ${SERVICE_ADDRESS[s]?.env ?? ''} is configured; drop one of the two`));
  }
  if (mode === 'demo') return SERVICE_STAND_INS.filter((s) => requested.includes(s) || !configured(s));
  return SERVICE_STAND_INS.filter((s) => requested.includes(s));
}
