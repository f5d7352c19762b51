import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPolicyEngine, POLICY_SCHEMA_FILE, readPolicyDir, type PolicyDecision, type PolicyEngine, type PolicyRequest, type PolicySources } from './cedar-policy';
import type { RoleMap } from './roles';

/**
 * Policy packs (issue 17, item 5): a runbook may bring its own Cedar policies, in the folder its
 * `policies:` key names (relative to the runbook directory). The folder holds `*.cedar` files and,
 * optionally, its own `schema.cedarschema`; without one it is validated against the default
 * pack's schema. The default pack is `<runbook dir>/policies`, as before packs existed: every
 * runbook without `policies:`, and every question not about one incident, is decided by it.
 */

/** Folder of the default pack, inside the runbook directory. */
export const DEFAULT_POLICY_FOLDER = 'policies';

/** A runbook as packs see it: its id and the folder its `policies:` names. */
export interface PackedRunbook {
  readonly id: string;
  readonly policies?: string;
}

/** Reads a pack folder; its schema is its own when it has one, else `fallbackSchema`. */
export function readPackDir(dir: string, fallbackSchema: string): PolicySources {
  if (existsSync(join(dir, POLICY_SCHEMA_FILE))) return readPolicyDir(dir);
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.cedar'))
    .map((d) => d.name)
    .sort()
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
  return { schema: fallbackSchema, files };
}

/**
 * An engine that decides with the pack of the incident's runbook (`request.runbook`), falling back
 * to the default pack for a runbook without one, an unknown runbook, or a question about no
 * incident.
 */
export class PackedPolicyEngine implements PolicyEngine {
  /** Commands look up an incident's runbook only when some runbook has a pack of its own. */
  readonly usesRunbook: boolean;

  constructor(
    private readonly fallback: PolicyEngine,
    private readonly byRunbook: ReadonlyMap<string, PolicyEngine>,
  ) {
    this.usesRunbook = byRunbook.size > 0;
  }

  decide(request: PolicyRequest): PolicyDecision {
    const engine = (request.runbook !== undefined ? this.byRunbook.get(request.runbook) : undefined) ?? this.fallback;
    return engine.decide(request);
  }

  /**
   * Whether any pack could allow the request: what a command may attempt before it knows which
   * incident (and so which pack) it is about. The default pack's answer when none allows.
   */
  decideAny(request: PolicyRequest): PolicyDecision {
    for (const engine of this.byRunbook.values()) {
      const answer = engine.decide(request);
      if (answer.allowed) return answer;
    }
    return this.fallback.decide(request);
  }
}

/**
 * Loads the default pack and every runbook's own pack (each parsed and validated like the
 * default: a broken pack stops the app at start, naming the file). Runbooks sharing a folder
 * share one engine.
 */
export function loadPolicyPacks(runbookDir: string, runbooks: readonly PackedRunbook[], roles: RoleMap): PackedPolicyEngine {
  const defaultDir = join(runbookDir, DEFAULT_POLICY_FOLDER);
  const defaults = readPolicyDir(defaultDir);
  const fallback = createPolicyEngine(defaults, roles);
  const byFolder = new Map<string, PolicyEngine>();
  const byRunbook = new Map<string, PolicyEngine>();
  for (const runbook of runbooks) {
    if (runbook.policies === undefined || runbook.policies === DEFAULT_POLICY_FOLDER) continue;
    let engine = byFolder.get(runbook.policies);
    if (engine === undefined) {
      engine = createPolicyEngine(readPackDir(join(runbookDir, runbook.policies), defaults.schema), roles);
      byFolder.set(runbook.policies, engine);
    }
    byRunbook.set(runbook.id, engine);
  }
  return new PackedPolicyEngine(fallback, byRunbook);
}
