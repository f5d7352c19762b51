import { join } from 'node:path';
import type { RespondArguments } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger';
import { makeContext, RefusedError, UserFacingError, type OperationsDeps } from '../../../src/slack/commands/context';
import type { IncidentPort } from '../../../src/slack/commands/incident-port';
import { loadPolicyEngine } from '../../../src/slack/policy/cedar-policy';
import type { Refusal } from '../../../src/slack/policy/refusals';
import type { OpsAction } from '../../../src/slack/policy/roles';

const POLICY_DIR = join(__dirname, '..', '..', '..', 'runbooks', 'policies');
const policy = loadPolicyEngine(POLICY_DIR, { U0COMMANDER: 'incident-commander', U0RESPONDER: 'responder', U0DPOFFICER: 'dpo', U0OBSERVER: 'observer' });
const KNOWN = 'incident-known';

/** An incident port that knows one incident and answers nothing else, with the replies and refusals kept. */
function rig(userId: string, action: OpsAction | undefined, args: string[]) {
  const refusals: Refusal[] = [];
  const replies: string[] = [];
  const incidents = new Proxy({} as IncidentPort, {
    get: (_t, method: string) => async (id: string) => {
      if (method === 'resolve') return id === KNOWN ? KNOWN : undefined;
      throw new Error(`${method} must not be reached by this test`);
    },
  });
  const deps: OperationsDeps = {
    commandName: '/ir',
    incidents,
    policy,
    refusals: { record: async (r) => void refusals.push(r) },
    drills: { start: async () => Promise.reject(new Error('no')), schedule: async () => Promise.reject(new Error('no')), list: async () => [] },
    logger: silentLogger,
  };
  const ctx = makeContext(deps, {
    userId,
    channelId: 'C1',
    args,
    text: args.join(' '),
    ...(action !== undefined ? { action } : {}),
    respond: async (m: RespondArguments) => {
      replies.push(m.text ?? '');
    },
  });
  return { ctx, refusals, replies };
}

/** A subcommand written the way new ones are: look the incident up, then authorise on it. */
async function newStyleHandler(ctx: ReturnType<typeof rig>['ctx'], action: OpsAction): Promise<string> {
  const workflowId = await ctx.incident();
  if (!(await ctx.authorize(action, { workflowId }))) return 'refused';
  return workflowId;
}

describe('ctx.incident() authorises before it looks anything up', () => {
  for (const action of ['retry', 'skip', 'abort', 'close', 'breaker', 'timeline', 'approve', 'deny'] as const) {
    it(`${action}: a user with no role gets the same refusal for a known and an unknown id`, async () => {
      const known = rig('U0NOBODY', action, [KNOWN, 'x']);
      const unknown = rig('U0NOBODY', action, ['incident-unknown', 'x']);
      await expect(newStyleHandler(known.ctx, action)).rejects.toBeInstanceOf(RefusedError);
      await expect(newStyleHandler(unknown.ctx, action)).rejects.toBeInstanceOf(RefusedError);
      expect(known.replies).toHaveLength(1);
      expect(unknown.replies).toEqual(known.replies);
      expect(known.replies[0]).toContain(`\`${action}\` permission`);
      expect(known.replies[0]).not.toContain(KNOWN);
      // The audit record (never shown) still names the incident when it exists.
      expect(known.refusals).toMatchObject([{ action, workflowId: KNOWN, role: 'none' }]);
      expect(unknown.refusals[0]?.workflowId).toBeUndefined();
    });
  }

  it('an observer is refused retry; a responder passes the first check and reaches the incident', async () => {
    const observer = rig('U0OBSERVER', 'retry', [KNOWN]);
    await expect(newStyleHandler(observer.ctx, 'retry')).rejects.toBeInstanceOf(RefusedError);
    const responder = rig('U0RESPONDER', 'retry', [KNOWN]);
    await expect(newStyleHandler(responder.ctx, 'retry')).resolves.toBe(KNOWN);
    expect(responder.replies).toEqual([]);
  });

  it('someone allowed is told plainly that an id does not exist', async () => {
    const r = rig('U0COMMANDER', 'close', ['incident-unknown']);
    await expect(r.ctx.incident()).rejects.toBeInstanceOf(UserFacingError);
    await expect(r.ctx.incident()).rejects.toThrow('No incident `incident-unknown`');
  });

  it('approve: a DPO may attempt it (it decides DPO steps), an observer may not; without an action, status is checked', async () => {
    await expect(rig('U0DPOFFICER', 'approve', [KNOWN]).ctx.incident()).resolves.toBe(KNOWN);
    await expect(rig('U0OBSERVER', 'approve', [KNOWN]).ctx.incident()).rejects.toBeInstanceOf(RefusedError);
    await expect(rig('U0OBSERVER', undefined, [KNOWN]).ctx.incident()).resolves.toBe(KNOWN);
    await expect(rig('U0NOBODY', undefined, [KNOWN]).ctx.incident()).rejects.toBeInstanceOf(RefusedError);
    await expect(rig('U0OBSERVER', undefined, [KNOWN]).ctx.incidentFor('abort')).rejects.toBeInstanceOf(RefusedError);
  });
});
