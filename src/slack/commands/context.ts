import type { App, RespondArguments } from '@slack/bolt';
import type { Logger } from '../../log/logger';
import type { CardConversation } from '../cards/card-conversation';
import type { PolicyEngine } from '../policy/cedar-policy';
import type { RefusalRecorder } from '../policy/refusals';
import type { OpsAction, OpsRole } from '../policy/roles';
import type { DrillPort } from './drill-port';
import type { IncidentPort } from './incident-port';
import { forSubcommand, type SubcommandInfo } from './subcommand';

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
  /** The workflow id of `args[index]`, or a usage/user-facing error. */
  incident(index?: number): Promise<string>;
}

/** A subcommand with its handler. */
export interface SubcommandSpec extends SubcommandInfo {
  readonly run: (ctx: CommandContext) => Promise<void>;
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
  readonly respond: (message: RespondArguments) => Promise<void>;
}

/** Builds a context; shared by commands and button handlers. */
export function makeContext(deps: OperationsDeps, facts: RequestFacts): CommandContext {
  const ctx: CommandContext = {
    deps,
    userId: facts.userId,
    channelId: facts.channelId,
    args: facts.args,
    text: facts.text,
    reply: (message) => facts.respond({ response_type: 'ephemeral', ...message } as RespondArguments),
    async authorize(action, target = {}) {
      const decision = deps.policy.decide({ userId: facts.userId, action, incidentId: target.workflowId, stepRole: target.stepRole });
      if (decision.allowed) return true;
      const at = (deps.now ?? (() => new Date()))().toISOString();
      await deps.refusals.record({
        userId: facts.userId,
        role: decision.role,
        action,
        ...(target.workflowId !== undefined ? { workflowId: target.workflowId } : {}),
        request: `${deps.commandName} ${facts.text}`.trim(),
        at,
      });
      await ctx.reply({ text: refusalText(action, decision.role, target.stepRole) });
      return false;
    },
    async incident(index = 0) {
      const id = facts.args[index];
      if (id === undefined) throw new UsageError('an incident id is required');
      const workflowId = await deps.incidents.resolve(id);
      if (workflowId === undefined) throw new UserFacingError(`No incident \`${id}\`. \`${deps.commandName} list\` shows the running ones.`);
      return workflowId;
    },
  };
  return ctx;
}

/** The refusal a user sees: the permission they lack and the role they hold. */
export function refusalText(action: OpsAction, role: OpsRole | 'none', stepRole?: string): string {
  const holder = role === 'none' ? 'you have no breachline role' : `your role is \`${role}\``;
  const scope = stepRole ? ` on a step gated on \`${stepRole}\`` : '';
  return `:no_entry: Not allowed: this needs the \`${action}\` permission${scope}, and ${holder}. The refusal has been recorded.`;
}

async function answerFailure(ctx: CommandContext, deps: OperationsDeps, spec: SubcommandSpec, err: unknown): Promise<void> {
  let text: string;
  if (err instanceof UsageError) text = `${err.message}. Usage: \`${deps.commandName} ${spec.usage}\``;
  else if (err instanceof UserFacingError) text = err.message;
  else {
    deps.logger.error({ err, subcommand: spec.name }, 'slack subcommand failed');
    text = `:warning: \`${deps.commandName} ${spec.name}\` failed: ${(err as Error).message ?? String(err)}`;
  }
  try {
    await ctx.reply({ text });
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
