import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as CedarModule from '@cedar-policy/cedar-wasm/nodejs';
import { WORKSPACE_ACTIONS, type OpsAction, type OpsRole, type RoleMap } from './roles';

// The package's CommonJS build loads its wasm synchronously; its ESM entry would need a bundler.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cedar = require('@cedar-policy/cedar-wasm/nodejs') as typeof CedarModule;

/** File name of the schema beside the policies. */
export const POLICY_SCHEMA_FILE = 'schema.cedarschema';

/** A policy file (or the schema) that does not parse or does not validate; `file` names it. */
export class PolicyLoadError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid policy file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyLoadError';
  }
}

/** One question to the policies. */
export interface PolicyRequest {
  readonly userId: string;
  readonly action: OpsAction;
  /** The incident acted on; absent for workspace commands. */
  readonly incidentId?: string;
  /** For approve/deny: the role the runbook gates the step on. */
  readonly stepRole?: string;
  // Policy packs (issue 17): the incident's runbook picks the pack that decides.
  /** Id of the incident's runbook, when known. */
  readonly runbook?: string;
}

/** The policies' answer. */
export interface PolicyDecision {
  readonly allowed: boolean;
  /** The caller's role, `none` when config names none. */
  readonly role: OpsRole | 'none';
  /** Ids of the policies that allowed it (empty on refusal). */
  readonly reasons: readonly string[];
  /** Evaluation errors, if any policy failed to evaluate (the request is then refused). */
  readonly errors: readonly string[];
}

/** Decides who may do what; the only thing commands ask before acting. */
export interface PolicyEngine {
  decide(request: PolicyRequest): PolicyDecision;
  // Policy packs (issue 17).
  /** True when the answer depends on `request.runbook`: callers then look the incident's runbook up. */
  readonly usesRunbook?: boolean;
  /** Whether any pack could allow the request (before the incident is known); absent: `decide`. */
  decideAny?(request: PolicyRequest): PolicyDecision;
}

/** Policies and schema as loaded from a directory. */
export interface PolicySources {
  readonly schema: string;
  /** File name → policy text, in file-name order. */
  readonly files: ReadonlyArray<{ readonly file: string; readonly text: string }>;
}

/** Reads `schema.cedarschema` and every `*.cedar` file of a directory (not its subfolders). */
export function readPolicyDir(dir: string): PolicySources {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.cedar'))
    .map((d) => d.name)
    .sort();
  return {
    schema: readFileSync(join(dir, POLICY_SCHEMA_FILE), 'utf8'),
    files: names.map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') })),
  };
}

/**
 * Parses and validates every policy file against the schema (strict mode) and returns an engine
 * over all of them. Fails fast, naming the file and every problem in it, so a typo in a policy
 * stops the app at start rather than silently refusing (or allowing) something later.
 */
export function createPolicyEngine(sources: PolicySources, roles: RoleMap): PolicyEngine {
  const schemaCheck = cedar.checkParseSchema(sources.schema);
  if (schemaCheck.type === 'failure') throw new PolicyLoadError(POLICY_SCHEMA_FILE, schemaCheck.errors.map(describe));
  const texts: string[] = [];
  for (const { file, text } of sources.files) {
    const parsed = cedar.policySetTextToParts(text);
    if (parsed.type === 'failure') throw new PolicyLoadError(file, parsed.errors.map(describe));
    const validated = cedar.validate({ schema: sources.schema, policies: { staticPolicies: text }, validationSettings: { mode: 'strict' } });
    if (validated.type === 'failure') throw new PolicyLoadError(file, validated.errors.map(describe));
    if (validated.validationErrors.length > 0) throw new PolicyLoadError(file, validated.validationErrors.map((e) => describe(e.error)));
    texts.push(...parsed.policies);
  }
  // Whole files are validated one by one for the error message; the set must still parse as one
  // (duplicate @id annotations across files would clash).
  const policySet = texts.join('\n');
  const whole = cedar.checkParsePolicySet({ staticPolicies: policySet });
  if (whole.type === 'failure') throw new PolicyLoadError(sources.files.map((f) => f.file).join(', '), whole.errors.map(describe));
  // Parsed once into the module's cache: reparsing the text on every request costs about 1 ms.
  const id = `breachline-slack-${++loaded}`;
  const cached = cedar.preparsePolicySet(id, { staticPolicies: policySet });
  if (cached.type === 'failure') throw new PolicyLoadError(sources.files.map((f) => f.file).join(', '), cached.errors.map(describe));
  const schemaCached = cedar.preparseSchema(id, sources.schema);
  if (schemaCached.type === 'failure') throw new PolicyLoadError(POLICY_SCHEMA_FILE, schemaCached.errors.map(describe));
  return new CedarPolicyEngine(id, roles);
}

/** Engines built so far in this process; names each one's cached policy set. */
let loaded = 0;

/** Loads the policy directory and builds the engine; see {@link createPolicyEngine}. */
export function loadPolicyEngine(dir: string, roles: RoleMap): PolicyEngine {
  return createPolicyEngine(readPolicyDir(dir), roles);
}

class CedarPolicyEngine implements PolicyEngine {
  constructor(
    /** Id of the preparsed policy set and schema. */
    private readonly cacheId: string,
    private readonly roles: RoleMap,
  ) {}

  decide(request: PolicyRequest): PolicyDecision {
    const role = this.roles[request.userId] ?? 'none';
    const user = { type: 'User', id: request.userId };
    const workspace = WORKSPACE_ACTIONS.has(request.action);
    const resource = workspace ? { type: 'Workspace', id: 'slack' } : { type: 'Incident', id: request.incidentId ?? '' };
    const context: Record<string, string> = request.action === 'approve' || request.action === 'deny' ? { stepRole: request.stepRole ?? '' } : {};
    const answer = cedar.statefulIsAuthorized({
      principal: user,
      action: { type: 'Action', id: request.action },
      resource,
      context,
      preparsedPolicySetId: this.cacheId,
      // Requests are checked against the schema too, so a command sending the wrong context is an error, not a silent deny.
      preparsedSchemaName: this.cacheId,
      validateRequest: true,
      entities: [
        { uid: user, attrs: { role }, parents: role === 'none' ? [] : [{ type: 'Role', id: role }] },
        { uid: resource, attrs: {}, parents: [] },
      ],
    });
    if (answer.type === 'failure') return { allowed: false, role, reasons: [], errors: answer.errors.map(describe) };
    const { decision, diagnostics } = answer.response;
    return {
      allowed: decision === 'allow',
      role,
      reasons: decision === 'allow' ? diagnostics.reason : [],
      errors: diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`),
    };
  }
}

function describe(error: CedarModule.DetailedError): string {
  return error.help ? `${error.message} (${error.help})` : error.message;
}
