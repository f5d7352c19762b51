import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RespondArguments } from '@slack/bolt';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger';
import { makeContext, RefusedError, UserFacingError, type OperationsDeps } from '../../../src/slack/commands/context';
import type { IncidentPort } from '../../../src/slack/commands/incident-port';
import { PolicyLoadError } from '../../../src/slack/policy/cedar-policy';
import { loadPolicyPacks } from '../../../src/slack/policy/policy-packs';
import type { Refusal } from '../../../src/slack/policy/refusals';
import type { OpsAction } from '../../../src/slack/policy/roles';

/*
 * Policy packs (issue 17): the runbook of the incident decides which Cedar policies answer a Slack
 * command on it. The "on-call" pack lets responders close incidents, which the default pack does
 * not; an incident of the reference runbook keeps the default's answer.
 */

const ROOT = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'packs-'));
cpSync(join(ROOT, 'runbooks', 'policies'), join(dir, 'policies'), { recursive: true });
mkdirSync(join(dir, 'on-call'));
writeFileSync(
  join(dir, 'on-call', 'responders.cedar'),
  '// Responders run small incidents end to end.\n@id("responder-runs")\npermit (principal in Role::"responder", action in [Action::"status", Action::"close"], resource);\n',
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROLES = { U0COMMANDER: 'incident-commander', U0RESPONDER: 'responder' } as const;
const policy = loadPolicyPacks(dir, [{ id: 'kafka-exfiltration' }, { id: 'noisy-consumer', policies: 'on-call' }], ROLES);

const RUNBOOK_OF: Record<string, string> = { 'incident-small': 'noisy-consumer', 'incident-breach': 'kafka-exfiltration' };

/** A context over a port that knows two incidents and their runbooks, counting state reads. */
function rig(userId: string, action: OpsAction, args: string[], broken = false) {
  const refusals: Refusal[] = [];
  const replies: string[] = [];
  let stateReads = 0;
  const incidents = new Proxy({} as IncidentPort, {
    get: (_t, method: string) => async (id: string) => {
      if (method === 'resolve') return RUNBOOK_OF[id] !== undefined ? id : undefined;
      if (method === 'state') {
        stateReads++;
        if (broken) throw new Error('Temporal unavailable');
        return { runbook: { id: RUNBOOK_OF[id], version: 1, contentHash: 'x' } };
      }
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
  const ctx = makeContext(deps, { userId, channelId: 'C1', args, text: args.join(' '), action, respond: async (m: RespondArguments) => void replies.push(m.text ?? '') });
  return { ctx, refusals, replies, reads: () => stateReads };
}

async function attempt(r: ReturnType<typeof rig>, action: OpsAction): Promise<boolean> {
  const workflowId = await r.ctx.incident();
  return r.ctx.authorize(action, { workflowId });
}

describe('Slack commands decide with the incident runbook\'s policy pack', () => {
  it('a responder may close an incident whose runbook brings the on-call pack', async () => {
    const r = rig('U0RESPONDER', 'close', ['incident-small']);
    expect(await attempt(r, 'close')).toBe(true);
    expect(r.replies).toEqual([]);
  });

  it('…but not an incident of a runbook without a pack: the default pack decides, and the refusal is recorded', async () => {
    const r = rig('U0RESPONDER', 'close', ['incident-breach']);
    expect(await attempt(r, 'close')).toBe(false);
    expect(r.refusals).toMatchObject([{ action: 'close', role: 'responder', workflowId: 'incident-breach' }]);
  });

  it('the pack replaces the default, it does not add to it: the commander cannot close under on-call', async () => {
    expect(await attempt(rig('U0COMMANDER', 'close', ['incident-small']), 'close')).toBe(false);
    expect(await attempt(rig('U0COMMANDER', 'close', ['incident-breach']), 'close')).toBe(true);
  });

  it('an incident whose runbook cannot be read is not decided by the default pack instead', async () => {
    const r = rig('U0RESPONDER', 'close', ['incident-small'], true);
    await expect(attempt(r, 'close')).rejects.toBeInstanceOf(UserFacingError);
  });

  it('a user no pack allows is refused before any incident is looked up', async () => {
    const r = rig('U0NOBODY', 'close', ['incident-small']);
    await expect(r.ctx.incident()).rejects.toBeInstanceOf(RefusedError);
    expect(r.reads()).toBe(0);
  });

  it('a pack that does not validate stops loading, naming its file', () => {
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'bad.cedar'), 'permit (principal in Role::"responder", action == Action::"deploy", resource);\n');
    expect(() => loadPolicyPacks(dir, [{ id: 'x', policies: 'broken' }], ROLES)).toThrow(PolicyLoadError);
  });
});
