import { afterEach, describe, expect, it } from 'vitest';
import { GroupCoordinator } from '../../../src/sandbox/kafka/groups/coordinator';
import { ErrorCode } from '../../../src/sandbox/kafka/protocol/errors';
import type { JoinGroupRequest } from '../../../src/sandbox/kafka/protocol/join-group/v0';

const coordinators: GroupCoordinator[] = [];
afterEach(() => coordinators.splice(0).forEach((c) => c.close()));

function coordinator(): GroupCoordinator {
  const c = new GroupCoordinator({ initialRebalanceDelayMs: 20, minSessionTimeoutMs: 100 });
  coordinators.push(c);
  return c;
}

const join = (memberId = '', protocols = ['range']): JoinGroupRequest => ({
  groupId: 'g',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 200,
  memberId,
  protocolType: 'consumer',
  protocols: protocols.map((name) => ({ name, metadata: Buffer.from(name) })),
});

describe('group coordinator', () => {
  it('parks joins until every member is in, gives only the leader the member list, and syncs assignments', async () => {
    const c = coordinator();
    const [a, b] = await Promise.all([c.join(join(), 'ca', 'h'), c.join(join(), 'cb', 'h')]);
    expect(a.errorCode).toBe(0);
    expect(a.generationId).toBe(1);
    expect(b.generationId).toBe(1);
    const leader = a.memberId === a.leaderId ? a : b;
    const follower = leader === a ? b : a;
    expect(leader.members).toHaveLength(2);
    expect(follower.members).toEqual([]);
    expect(c.get('g')?.state).toBe('CompletingRebalance');

    const followerSync = c.sync({ groupId: 'g', generationId: 1, memberId: follower.memberId, assignments: [] });
    const leaderSync = await c.sync({
      groupId: 'g',
      generationId: 1,
      memberId: leader.memberId,
      assignments: [
        { memberId: leader.memberId, assignment: Buffer.from('L') },
        { memberId: follower.memberId, assignment: Buffer.from('F') },
      ],
    });
    expect(leaderSync.assignment.toString()).toBe('L');
    expect((await followerSync).assignment.toString()).toBe('F');
    expect(c.get('g')?.state).toBe('Stable');
    expect(c.heartbeat('g', follower.memberId, 1)).toBe(0);
    expect(c.heartbeat('g', follower.memberId, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(c.heartbeat('g', 'stranger', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    // A leave triggers a rebalance: the remaining member learns it from its heartbeat.
    expect(c.leave('g', follower.memberId)).toBe(0);
    expect(c.heartbeat('g', leader.memberId, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await c.join(join(leader.memberId), 'ca', 'h');
    expect(rejoined.generationId).toBe(2);
    expect(rejoined.members).toHaveLength(1);
  });

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const c = coordinator();
    const [a, b] = await Promise.all([c.join(join(), 'ca', 'h'), c.join(join(), 'cb', 'h')]);
    const started = Date.now();
    const again = await c.join(join(a.memberId), 'ca', 'h');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(again.members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(c.heartbeat('g', b.memberId, again.generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('expires members whose session lapses without a heartbeat', async () => {
    const c = coordinator();
    const a = await c.join({ ...join(), sessionTimeoutMs: 150 }, 'ca', 'h');
    await c.sync({ groupId: 'g', generationId: a.generationId, memberId: a.memberId, assignments: [] });
    expect(c.get('g')?.state).toBe('Stable');
    await new Promise((r) => setTimeout(r, 800));
    expect(c.get('g')?.state).toBe('Empty');
    expect(c.heartbeat('g', a.memberId, a.generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('rejects members whose protocols do not overlap the group', async () => {
    const c = coordinator();
    await c.join(join(), 'ca', 'h');
    expect((await c.join(join('', ['roundrobin']), 'cb', 'h')).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('accepts commits from members and simple commits only while the group is empty', async () => {
    const c = coordinator();
    expect(c.checkCommit('g', '', -1)).toBe(0);
    c.commit('g', 't', 0, 5n, null);
    const a = await c.join(join(), 'ca', 'h');
    expect(c.checkCommit('g', '', -1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(c.checkCommit('g', a.memberId, a.generationId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    await c.sync({ groupId: 'g', generationId: a.generationId, memberId: a.memberId, assignments: [] });
    expect(c.checkCommit('g', a.memberId, a.generationId)).toBe(0);
    expect(c.delete('g')).toBe(ErrorCode.NON_EMPTY_GROUP);
    c.leave('g', a.memberId);
    expect(c.committed('g', 't', 0)?.offset).toBe(5n);
    expect(c.delete('g')).toBe(0);
    expect(c.delete('g')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(c.describe('g').state).toBe('Dead');
  });
});
