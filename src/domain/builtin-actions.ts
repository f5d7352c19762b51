import type { BuiltinActionDefinition, BuiltinPlanContext, JsonSchema } from './action-registry';
import type { ActionParams } from './runbook';
import type { BuiltinActionName } from './events';
import { BUILTIN_SUMMARY_TEMPLATE, TEMPLATE_PLACEHOLDERS } from './notify-template';
import { NAME_PATTERN, PRINCIPAL_PATTERN } from './runbook-patterns';

/**
 * The built-in runbook actions, each defined once: schema, phase, timeout, preset, plan text and
 * compensation. Their orchestration is workflow code (`workflows/incident-steps.ts` selects it by
 * name); this table is data and pure functions, so workflows import it. Read it through
 * `action-registry.ts`.
 */

const names = (description: string): JsonSchema => ({
  type: 'array',
  description,
  minItems: 1,
  uniqueItems: true,
  items: { type: 'string', minLength: 1 },
});

const principalOf = (given: string | undefined, ctx: BuiltinPlanContext): string => given ?? ctx.principal ?? 'the principal the alert names';

const contain: BuiltinActionDefinition<'contain'> = {
  kind: 'builtin',
  name: 'contain',
  summary: 'Remove the principal’s ALLOW ACLs and add DENY bindings; record what was removed',
  phase: { started: 'containing', completed: 'contained' },
  defaultTimeout: '2m',
  preset: 'control-plane',
  compensation: 'Restores exactly the ALLOW bindings it removed and drops the DENY bindings it added.',
  dryRun: { by: 'activity', activity: 'contain' },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      scope: { enum: ['resources', 'cluster'], default: 'resources', description: 'Deny on the principal’s resources only, or on the whole cluster.' },
      principal: { type: 'string', pattern: PRINCIPAL_PATTERN, description: 'Principal to contain. Default: the one the alert names.' },
      denyOperations: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { enum: ['ALL', 'READ', 'WRITE', 'DESCRIBE', 'CREATE', 'DELETE', 'ALTER'] },
        default: ['ALL'],
        description: 'Operations the DENY bindings cover.',
      },
      verify: { type: 'boolean', default: true, description: 'Prove a produce and a consume are refused.' },
      // Leaked-token playbook (issue 17, item 4).
      principals: {
        type: 'array',
        uniqueItems: true,
        items: { type: 'string', pattern: PRINCIPAL_PATTERN },
        description: 'Contain each of these principals (one undo each), e.g. `${{ steps.trace.outputs.kafkaPrincipals }}`; an empty list contains nothing. Replaces `principal`.',
      },
    },
  },
  plan(p, ctx) {
    if (p.principals !== undefined) return p.principals.length === 0 ? ['contain nothing: the list of principals is empty'] : p.principals.flatMap((who) => containLines({ ...p, principal: who }, ctx));
    return containLines(p, ctx);
  },
};

/** The plan lines of containing one principal. */
function containLines(p: ActionParams['contain'], ctx: BuiltinPlanContext): string[] {
  const who = principalOf(p.principal, ctx);
  const where = p.scope === 'cluster' ? 'the whole cluster' : 'its resources';
  const lines = [`remove the ALLOW ACLs of ${who}`, `deny ${who} ${p.denyOperations.join(', ')} on ${where}`];
  if (p.verify) lines.push(`prove a produce and a consume as ${who} are refused`);
  return lines;
}

const rotate: BuiltinActionDefinition<'rotate-credentials'> = {
  kind: 'builtin',
  name: 'rotate-credentials',
  summary: 'New SCRAM credentials for every account in the blast radius; revoke Vault tokens; delete the compromised account',
  phase: { started: 'eradicating', completed: 'eradicating' },
  defaultTimeout: '10m',
  preset: 'control-plane',
  dryRun: { by: 'activity', activity: 'rotateCredentials' },
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['blastRadius', 'vaultPathTemplate'],
    properties: {
      blastRadius: names('Service accounts that shared hosts or credentials with the compromised one.'),
      vaultPathTemplate: { type: 'string', pattern: '\\{account\\}', description: 'KV v2 path of each account’s secret; `{account}` is replaced.' },
      mechanism: { enum: ['SCRAM-SHA-256', 'SCRAM-SHA-512'], default: 'SCRAM-SHA-512', description: 'SCRAM mechanism of the new credentials.' },
      iterations: { type: 'integer', minimum: 4096, maximum: 16384, default: 8192, description: 'SCRAM iteration count.' },
      revokeVaultTokens: { type: 'boolean', default: true, description: 'Revoke the compromised service’s Vault tokens and AppRole secret ids.' },
      deleteCompromisedAccount: { type: 'boolean', default: true, description: 'Delete the compromised account’s SCRAM credentials instead of rotating them.' },
      verify: { type: 'boolean', default: true, description: 'Prove the old password fails and the new one works.' },
    },
  },
  plan(p, ctx) {
    const who = principalOf(undefined, ctx);
    const lines = p.blastRadius.map((a) => `new ${p.mechanism} credential (${p.iterations} iterations) for ${a}, stored at ${p.vaultPathTemplate.replace('{account}', a)}`);
    if (p.revokeVaultTokens) lines.push(`revoke the Vault tokens and AppRole secret ids of ${who}`);
    if (p.deleteCompromisedAccount) lines.push(`delete the SCRAM credentials of ${who}`);
    if (p.verify) lines.push('prove each old password fails and each new one works');
    return lines;
  },
};

const breakCircuits: BuiltinActionDefinition<'break-circuits'> = {
  kind: 'builtin',
  name: 'break-circuits',
  summary: 'Open named breakers: deny downstream principals READ on the breached topics',
  phase: { started: 'eradicating', completed: 'eradicating' },
  defaultTimeout: '2m',
  preset: 'control-plane',
  compensation: 'Closes the breakers it opened that are still open, under the step’s own approval (only a step that was approved).',
  dryRun: { by: 'activity', activity: 'openCircuits' },
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['breakers'],
    properties: {
      breakers: names('Names from the runbook’s `breakers`.'),
      controlTopic: { type: 'string', minLength: 1, default: 'breachline.control', description: 'Topic that receives a control event per breaker opened or closed.' },
    },
  },
  plan(p, ctx) {
    const lines = p.breakers.map((name) => {
      const rule = ctx.breakers[name];
      return rule === undefined ? `open breaker ${name}` : `open breaker ${name}: deny ${rule.principals.join(', ')} READ on ${rule.topic}`;
    });
    lines.push(`publish a control event per breaker to ${p.controlTopic}`);
    return lines;
  },
};

const forensics: BuiltinActionDefinition<'forensics'> = {
  kind: 'builtin',
  name: 'forensics',
  summary: 'Legal hold first, then the window the attacker read per partition and the data subjects in it',
  phase: { started: 'investigating', completed: 'investigating' },
  defaultTimeout: '30m',
  preset: 'forensics',
  dryRun: { by: 'activity', activity: 'investigate' },
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['topics', 'piiFields', 'dataSubjectKey'],
    properties: {
      topics: names('Topics the attacker could read.'),
      legalHoldRetentionMs: { type: 'integer', minimum: -1, default: -1, not: { const: 0 }, description: 'Retention set on the topics as legal hold; -1 keeps everything.' },
      piiFields: {
        type: 'object',
        additionalProperties: false,
        required: ['source'],
        description: 'Where the PII fields of the records are named.',
        properties: {
          source: { enum: ['inline', 'topic-config'], description: '`inline`: listed here; `topic-config`: the topic’s `pii.fields` tag.' },
          fields: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['path', 'category'],
              properties: { path: { type: 'string', minLength: 1 }, category: { type: 'string', pattern: NAME_PATTERN } },
            },
          },
        },
        if: { properties: { source: { const: 'inline' } } },
        then: { required: ['fields'] },
      },
      dataSubjectKey: { type: 'string', minLength: 1, description: 'Field that identifies a data subject, e.g. client.accountId.' },
      exactCountThreshold: { type: 'integer', minimum: 1, default: 100000, description: 'Data subjects are counted exactly up to this many, then estimated.' },
      hllPrecision: { type: 'integer', minimum: 4, maximum: 18, default: 14, description: 'HyperLogLog precision of the estimate above the threshold.' },
      useAccessRecords: { type: 'boolean', default: true, description: 'Narrow the window with the brokers’ access records where they exist.' },
      // Leaked-token playbook (issue 17, item 4).
      principals: {
        type: 'array',
        uniqueItems: true,
        items: { type: 'string', pattern: PRINCIPAL_PATTERN },
        description: 'The window is over what any of these principals read, e.g. `${{ steps.trace.outputs.kafkaPrincipals }}`. Default: the incident’s principal.',
      },
      // Issue 17 item 4 ("poison"): write-side forensics. No schema default, so plans of runbooks
      // without it stay as they were; absent means `read`.
      access: {
        enum: ['read', 'write'],
        description: '`read` (absent): the records the principal read. `write`: the records it produced — located from the brokers’ Produce access records, confirmed by the producer id in the record batches; the step then outputs `firstOffsets`.',
      },
    },
  },
  // Issue 17 item 4 ("poison"): with `access: write` the located records' first offsets, for a rewind.
  outputs: {
    firstOffsets: {
      type: 'string-map',
      description: 'With `access: write`: partition → offset of the first record the principal produced, on the first topic (e.g. for `kafka.reset-offsets`). Absent with `access: read`.',
    },
  },
  plan(p, ctx) {
    const hold = p.legalHoldRetentionMs === -1 ? 'unlimited' : `${p.legalHoldRetentionMs} ms`;
    const sources = p.useAccessRecords ? 'committed offsets, the timestamp index and access records' : 'committed offsets and the timestamp index';
    return [
      `legal hold: set retention of ${p.topics.join(', ')} to ${hold}`,
      p.access === 'write'
        ? `locate per partition the records ${principalOf(undefined, ctx)} produced, from the brokers’ Produce access records, confirmed by the producer id in the record batches`
        : `establish per partition the window ${p.principals !== undefined ? (p.principals.length > 0 ? p.principals.join(', ') : 'nobody') : principalOf(undefined, ctx)} read, from ${sources}`,
      `count data subjects by ${p.dataSubjectKey} (exact up to ${p.exactCountThreshold}, then HyperLogLog p=${p.hllPrecision})`,
    ];
  },
};

const preserveEvidence: BuiltinActionDefinition<'preserve-evidence'> = {
  kind: 'builtin',
  name: 'preserve-evidence',
  summary: 'Replay the forensic window to the evidence topic, PII tokenised, resumable',
  phase: { started: 'investigating', completed: 'investigating' },
  defaultTimeout: '24h',
  preset: 'evidence',
  dryRun: { by: 'activity', activity: 'preserveEvidence' },
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['evidenceTopic'],
    properties: {
      evidenceTopic: { type: 'string', minLength: 1, description: 'Immutable topic the evidence is written to.' },
      chunkSize: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000, description: 'Records per checkpointed chunk.' },
      parallelism: { type: 'integer', minimum: 1, maximum: 256, default: 4, description: 'Partitions replayed at once.' },
      tokenisePii: { const: true, default: true, description: 'Always true: evidence never holds PII in clear.' },
      transitKey: { type: 'string', minLength: 1, default: 'breachline-evidence', description: 'Vault transit key that seals the evidence.' },
    },
  },
  plan(p) {
    return [
      `replay the forensic window to ${p.evidenceTopic}, ${p.parallelism} partitions at a time, in chunks of ${p.chunkSize} records`,
      `tokenise PII and seal each chunk with Vault transit key ${p.transitKey}`,
    ];
  },
};

const notify: BuiltinActionDefinition<'notify'> = {
  kind: 'builtin',
  name: 'notify',
  // Acts on no principal: ingress lets an alert naming none start a runbook of such steps.
  needsPrincipal: false,
  summary: 'Tell the people who must act (incident channel, DPO, commander)',
  phase: { started: 'notifying', completed: 'notifying' },
  defaultTimeout: '1m',
  preset: 'control-plane',
  dryRun: { by: 'workflow', kind: 'chat.post', target: (p) => p.channel },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      channel: { type: 'string', minLength: 1, default: '#incidents', description: 'Channel of the incident’s messages.' },
      audience: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { enum: ['incident-commander', 'dpo', 'responder', 'legal', 'executives'] },
        default: ['incident-commander', 'dpo'],
        description: 'Who the message is for.',
      },
      template: {
        type: 'string',
        minLength: 1,
        description:
          `Text of the message; placeholders ${TEMPLATE_PLACEHOLDERS.map((n) => `{${n}}`).join(', ')}. ` +
          `Absent (or \`${BUILTIN_SUMMARY_TEMPLATE}\`): the status summary (access revoked, credentials rotated, breakers, records read, clocks).`,
      },
    },
  },
  plan(p) {
    const what = p.template === undefined || p.template === BUILTIN_SUMMARY_TEMPLATE ? 'the incident status summary' : `the message "${p.template}"`;
    return [`post ${what} to ${p.channel} for ${p.audience.join(', ')}`];
  },
};

const report: BuiltinActionDefinition<'report'> = {
  kind: 'builtin',
  name: 'report',
  // Acts on no principal: ingress lets an alert naming none start a runbook of such steps.
  needsPrincipal: false,
  summary: 'Write the post-incident report from the audit trail',
  phase: { started: 'reporting', completed: 'reporting' },
  defaultTimeout: '5m',
  preset: 'control-plane',
  dryRun: { by: 'workflow', kind: 'chat.post', target: (p, ctx) => p.channel ?? ctx.channel },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      format: { enum: ['markdown'], default: 'markdown', description: 'Format of the report.' },
      includeTimeline: { type: 'boolean', default: true, description: 'Whether the report has the event timeline section.' },
      channel: { type: 'string', minLength: 1, description: 'Where the report is posted. Default: the incident channel.' },
    },
  },
  plan(p, ctx) {
    return [`post the post-incident report (${p.format}, ${p.includeTimeline ? 'with' : 'without'} the timeline) to ${p.channel ?? ctx.channel}`];
  },
};

const close: BuiltinActionDefinition<'close'> = {
  kind: 'builtin',
  name: 'close',
  // Acts on no principal: ingress lets an alert naming none start a runbook of such steps.
  needsPrincipal: false,
  summary: 'Close the incident once its obligations are met',
  // Only IncidentClosed closes an incident: a completed close step is followed by that event.
  phase: { started: 'reporting', completed: 'reporting' },
  defaultTimeout: '1m',
  preset: 'control-plane',
  dryRun: { by: 'workflow', kind: 'incident.close', target: (_p, ctx) => `incident:${ctx.incidentId}` },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      requireFilings: { type: 'boolean', default: true, description: 'Every regime settled: each stage with a known due filed, or the regime recorded as not notifiable.' },
      requireBreakersClosed: {
        type: 'boolean',
        default: false,
        description: 'Refuse to close while a breaker is open (close them from Slack first); otherwise the close approval closes them.',
      },
      // War room (issue 16).
      requireTasksDone: { type: 'boolean', default: false, description: 'Closing waits until every task added with /ir task is done; a close asked for meanwhile is refused with the open task numbers.' },
    },
  },
  plan(p) {
    const lines: string[] = [];
    if (p.requireFilings) lines.push('wait until every regulatory regime is settled');
    if (p.requireTasksDone) lines.push('wait until every task is done');
    lines.push(p.requireBreakersClosed ? 'refuse to close while a breaker is open' : 'close the breakers still open');
    lines.push('close the incident');
    return lines;
  },
};

/** Every built-in action by name, in playbook order. */
export const BUILTIN_ACTIONS: { readonly [A in BuiltinActionName]: BuiltinActionDefinition<A> } = {
  contain,
  'rotate-credentials': rotate,
  'break-circuits': breakCircuits,
  forensics,
  'preserve-evidence': preserveEvidence,
  notify,
  report,
  close,
};
