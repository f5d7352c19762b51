import type { App, RespondArguments } from '@slack/bolt';
import type { Logger } from '../../log/logger';
import type { CardConversation } from '../cards/card-conversation';
import type { PolicyEngine } from '../policy/cedar-policy';
import type { RefusalRecorder } from '../policy/refusals';
import { OPS_ACTIONS, OPS_ROLES, type OpsAction, type OpsRole } from '../policy/roles';
import type { ConsoleLinkIssuer } from './console';
import type { DrillPort } from './drill-port';
import type { IncidentPort } from './incident-port';
import { forSubcommand, type SubcommandInfo } from './subcommand';
import { escapeSlackText } from '../mrkdwn';
import { asFailure, REFUSED_PREFIX } from '../reply-kind';

/** Everything the operations commands and actions depend on; built once by the app's owner. */
export interface OperationsDeps {
  /** The slash command from config (`slack.command`), e.g. `/ir`. */
  readonly commandName: string;
  readonly incidents: IncidentPort;
  readonly policy: PolicyEngine;
  readonly refusals: RefusalRecorder;
  readonly drills: DrillPort;
  /** Where incident cards live, so commands and buttons can refresh them. */
  readonly cards?: CardConversation;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** How long to wait for a signalled incident to show the change before answering. @default 3000 */
  readonly settleMs?: number;
  /** The incident console's sign-in links (issue 16); absent: `/ir console` says it is not running. */
  readonly consoleLinks?: ConsoleLinkIssuer;
}

/** Bad arguments: answered with the subcommand's usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Something the user should be told plainly (no such incident, no such step). */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/**
 * The policies refused the request; the user has been answered and the refusal recorded, so the
 * handler only has to stop. Thrown by {@link CommandContext.incident} and caught by the runner.
 */
export class RefusedError extends Error {
  constructor(readonly action: OpsAction) {
    super(`refused ${action}`);
    this.name = 'RefusedError';
  }
}

/** One invocation of a subcommand, as handlers see it. */
export interface CommandContext {
  readonly deps: OperationsDeps;
  readonly userId: string;
  readonly channelId: string;
  /** The words after the subcommand. */
  readonly args: readonly string[];
  /** The full text after the command, for the audit trail. */
  readonly text: string;
  /** Answers the user (ephemeral unless `response_type: 'in_channel'`). */
  reply(message: RespondArguments): Promise<void>;
  /**
   * Asks the policies; on refusal answers with the missing permission, records the refusal and
   * returns false (the handler then stops).
   */
  authorize(action: OpsAction, target?: { workflowId?: string; stepRole?: string }): Promise<boolean>;
  /**
   * Asks the policies, before anything is looked up, whether the user may attempt `action` at all
   * (on the incident as typed, `incidentRef`; for approve/deny, on a step of any role). The answer
   * cannot depend on whether the incident exists, and the refusal text names no incident, so a
   * refused user learns nothing about incidents. Refuses like {@link authorize}.
   */
  authorizeAttempt(action: OpsAction, incidentRef?: string): Promise<boolean>;
  /**
   * The workflow id of `args[index]`, or a usage/user-facing error. Checks first that the user
   * may attempt the request's action (the subcommand's, see {@link SubcommandSpec.action}; `status`
   * when unknown), and throws {@link RefusedError} otherwise, so "no such incident" is only ever
   * told to someone allowed to act on incidents. Handlers still call {@link authorize} with the
   * resolved id for the full check.
   */
  incident(index?: number): Promise<string>;
  /** {@link incident} for an explicit action, for handlers whose action depends on their arguments. */
  incidentFor(action: OpsAction, index?: number): Promise<string>;
}

/** A subcommand with its handler. */
export interface SubcommandSpec extends SubcommandInfo {
  /**
   * The permission the subcommand needs, checked by `ctx.incident()` before any lookup.
   * @default the subcommand's name when it is an action, else `status`
   */
  readonly action?: OpsAction;
  readonly run: (ctx: CommandContext) => Promise<void>;
}

/** The permission a subcommand's `ctx.incident()` checks first; see {@link SubcommandSpec.action}. */
export function actionOf(spec: SubcommandSpec): OpsAction {
  return spec.action ?? OPS_ACTIONS.find((a) => a === spec.name) ?? 'status';
}

/**
 * Registers one subcommand on the shared slash command: acks at once (Slack's three seconds run
 * out long before a Temporal round trip can be trusted to finish), then runs the handler and
 * answers through the response_url. Usage errors get the usage line; anything unexpected is
 * logged and answered with a short failure, never left hanging.
 */
export function registerSubcommand(app: App, deps: OperationsDeps, spec: SubcommandSpec): void {
  app.command(deps.commandName, forSubcommand(spec.name), async ({ command, ack, respond }) => {
    await ack();
    const words = command.text.trim().split(/\s+/).filter(Boolean);
    const ctx = makeContext(deps, {
      userId: command.user_id,
      channelId: command.channel_id,
      args: words.slice(1),
      text: command.text,
      action: actionOf(spec),
      respond: async (m) => {
        await respond(m);
      },
    });
    try {
      await spec.run(ctx);
    } catch (err) {
      await answerFailure(ctx, deps, spec, err);
    }
  });
}

/** What {@link makeContext} needs from a request. */
export interface RequestFacts {
  readonly userId: string;
  readonly channelId: string;
  readonly args: readonly string[];
  readonly text: string;
  /** The permission the request needs, checked before `incident()` looks anything up. @default 'status' */
  readonly action?: OpsAction;
  readonly respond: (message: RespondArguments) => Promise<void>;
}

/** Builds a context; shared by commands and button handlers. */
export function makeContext(deps: OperationsDeps, facts: RequestFacts): CommandContext {
  const refuse = async (action: OpsAction, role: OpsRole | 'none', workflowId: string | undefined, stepRole?: string): Promise<false> => {
    const at = (deps.now ?? (() => new Date()))().toISOString();
    await deps.refusals.record({
      userId: facts.userId,
      role,
      action,
      ...(workflowId !== undefined ? { workflowId } : {}),
      request: `${deps.commandName} ${facts.text}`.trim(),
      at,
    });
    await ctx.reply({ text: refusalText(action, role, stepRole) });
    return false;
  };
  const lookUp = async (action: OpsAction, index: number): Promise<string> => {
    const id = facts.args[index];
    if (id === undefined) throw new UsageError('an incident id is required');
    if (!(await ctx.authorizeAttempt(action, id))) throw new RefusedError(action);
    const workflowId = await deps.incidents.resolve(id);
    if (workflowId === undefined) throw new UserFacingError(`No incident \`${escapeSlackText(id)}\`. \`${deps.commandName} list\` shows the running ones.`);
    return workflowId;
  };
  const ctx: CommandContext = {
    deps,
    userId: facts.userId,
    channelId: facts.channelId,
    args: facts.args,
    text: facts.text,
    reply: (message) => facts.respond({ response_type: 'ephemeral', ...message } as RespondArguments),
    async authorize(action, target = {}) {
      const runbook = target.workflowId !== undefined ? await incidentRunbook(deps, target.workflowId) : undefined;
      const decision = deps.policy.decide({ userId: facts.userId, action, incidentId: target.workflowId, stepRole: target.stepRole, ...(runbook !== undefined ? { runbook } : {}) });
      if (decision.allowed) return true;
      return refuse(action, decision.role, target.workflowId, target.stepRole);
    },
    async authorizeAttempt(action, incidentRef) {
      const decision = mayAttempt(deps, facts.userId, action, incidentRef);
      if (decision.allowed) return true;
      // The refusal's text comes from the policies alone and names no incident; only the audit
      // record, which the user never sees, is tied to the incident when the reference names one.
      const workflowId = incidentRef === undefined ? undefined : await deps.incidents.resolve(incidentRef).catch(() => undefined);
      return refuse(action, decision.role, workflowId);
    },
    incident: (index = 0) => lookUp(facts.action ?? 'status', index),
    incidentFor: (action, index = 0) => lookUp(action, index),
  };
  return ctx;
}

/**
 * Whether the policies could allow `action` to this user on some incident: on `incidentRef` as
 * typed (never resolved), and for approve/deny on a step gated on any role. Only the user and the
 * typed words go in, so the answer is the same for existing and unknown incidents.
 */
function mayAttempt(deps: OperationsDeps, userId: string, action: OpsAction, incidentRef: string | undefined): { allowed: boolean; role: OpsRole | 'none' } {
  // Policy packs (issue 17): before the incident is known, any pack's permission lets the attempt on.
  const ask = (stepRole?: string) => (deps.policy.decideAny ?? deps.policy.decide).call(deps.policy, { userId, action, incidentId: incidentRef ?? '', stepRole });
  if (action !== 'approve' && action !== 'deny') return ask();
  let role: OpsRole | 'none' = 'none';
  for (const stepRole of OPS_ROLES) {
    const d = ask(stepRole);
    if (d.allowed) return d;
    role = d.role;
  }
  return { allowed: false, role };
}

// Policy packs (issue 17).
/** Runbook id of each incident already asked about, per deps: an incident's runbook never changes. */
const runbookCache = new WeakMap<OperationsDeps, Map<string, string>>();

/**
 * The runbook of the incident, so its pack decides; undefined (the default pack) when the policies
 * do not depend on it. An incident whose runbook cannot be read is not decided at all (a stricter
 * pack must not silently give way to the default one).
 */
async function incidentRunbook(deps: OperationsDeps, workflowId: string): Promise<string | undefined> {
  if (deps.policy.usesRunbook !== true) return undefined;
  let cache = runbookCache.get(deps);
  if (cache === undefined) runbookCache.set(deps, (cache = new Map()));
  const known = cache.get(workflowId);
  if (known !== undefined) return known;
  const id = await deps.incidents.state(workflowId).then(
    (state) => state.runbook.id,
    () => {
      throw new UserFacingError('The incident could not be read to find which policies decide this; try again.');
    },
  );
  cache.set(workflowId, id);
  return id;
}

/** The refusal a user sees: the permission they lack and the role they hold. */
export function refusalText(action: OpsAction, role: OpsRole | 'none', stepRole?: string): string {
  const holder = role === 'none' ? 'you have no breachline role' : `your role is \`${role}\``;
  const scope = stepRole ? ` on a step gated on \`${stepRole}\`` : '';
  return `${REFUSED_PREFIX} Not allowed: this needs the \`${action}\` permission${scope}, and ${holder}. The refusal has been recorded.`;
}

async function answerFailure(ctx: CommandContext, deps: OperationsDeps, spec: SubcommandSpec, err: unknown): Promise<void> {
  if (err instanceof RefusedError) return; // answered and recorded already
  let text: string;
  if (err instanceof UsageError) text = `${err.message}. Usage: \`${deps.commandName} ${spec.usage}\``;
  else if (err instanceof UserFacingError) text = err.message;
  else {
    deps.logger.error({ err, subcommand: spec.name }, 'slack subcommand failed');
    text = `\`${deps.commandName} ${spec.name}\` failed: ${(err as Error).message ?? String(err)}`;
  }
  try {
    await ctx.reply({ text: asFailure(text) });
  } catch (replyErr) {
    deps.logger.warn({ err: replyErr, subcommand: spec.name }, 'could not answer a failed subcommand');
  }
}

/**
 * Polls the incident until `moved(state)` holds or `settleMs` passes. Signals are asynchronous,
 * so the answer to "what changed" is read back rather than assumed.
 */
export async function waitFor<T>(read: () => Promise<T>, moved: (value: T) => boolean, settleMs: number): Promise<{ value: T; moved: boolean }> {
  const deadline = Date.now() + settleMs;
  let value = await read();
  while (!moved(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return { value, moved: moved(value) };
}
