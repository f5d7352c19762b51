import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/errors';
import type { JoinGroupRequest, JoinGroupResponse } from '../protocol/join-group/v0';
import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/sync-group/v0';
import type { DescribedGroup } from '../protocol/describe-groups/v0';
import { newGroup, offsetKey, splitOffsetKey, type CommittedOffset, type Group, type Member } from './group';

/** Coordinator tunables (Kafka's group.* broker settings). */
export interface CoordinatorOptions {
  /** group.initial.rebalance.delay.ms: how long a fresh group waits for more members. @default 100 */
  initialRebalanceDelayMs?: number;
  /** group.min.session.timeout.ms. @default 6000 */
  minSessionTimeoutMs?: number;
  /** group.max.session.timeout.ms. @default 1800000 */
  maxSessionTimeoutMs?: number;
}

/** Persistence events of the coordinator. */
export type GroupEvent =
  | { t: 'offset.commit'; group: string; topic: string; partition: number; offset: string; metadata: string | null }
  | { t: 'group.delete'; group: string };

const EMPTY = Buffer.alloc(0);

/**
 * The consumer-group coordinator: Kafka's group state machine (Empty → PreparingRebalance →
 * CompletingRebalance → Stable), parked JoinGroup/SyncGroup responses, session expiry, and
 * committed offsets. Session deadlines run on wall-clock time (clients heartbeat in real time),
 * independent of the broker's retention clock.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly options: Required<CoordinatorOptions>;
  listener: ((e: GroupEvent) => void) | undefined;

  constructor(options: CoordinatorOptions = {}) {
    this.options = {
      initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 100,
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? 6000,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 1_800_000,
    };
    this.sweeper = setInterval(() => this.expireSessions(), 500);
    this.sweeper.unref();
  }

  /** Stops timers and fails parked requests so no client hangs on shutdown. */
  close(): void {
    clearInterval(this.sweeper);
    for (const g of this.groups.values()) {
      if (g.joinTimer) clearTimeout(g.joinTimer);
      for (const m of g.members.values()) this.failParked(m, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
  }

  get(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  list(): Group[] {
    return [...this.groups.values()];
  }

  private touch(m: Member): void {
    m.sessionDeadline = Date.now() + m.sessionTimeoutMs;
  }

  private joinError(code: number, memberId = ''): JoinGroupResponse {
    return { errorCode: code, generationId: -1, protocol: '', leaderId: '', memberId, members: [] };
  }

  /** Handles JoinGroup; resolves when the rebalance completes (the response is parked until then). */
  join(req: JoinGroupRequest, clientId: string, clientHost: string): Promise<JoinGroupResponse> {
    if (!req.groupId) return Promise.resolve(this.joinError(ErrorCode.INVALID_GROUP_ID));
    if (req.sessionTimeoutMs < this.options.minSessionTimeoutMs || req.sessionTimeoutMs > this.options.maxSessionTimeoutMs) {
      return Promise.resolve(this.joinError(ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    if (!req.protocolType || req.protocols.length === 0) return Promise.resolve(this.joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    let group = this.groups.get(req.groupId);
    if (!group) {
      group = newGroup(req.groupId);
      this.groups.set(req.groupId, group);
    }
    if (group.members.size > 0) {
      const compatible = group.protocolType === req.protocolType && this.commonProtocols(group, req.protocols.map((p) => p.name)).length > 0;
      if (!compatible) return Promise.resolve(this.joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    let member: Member | undefined;
    if (req.memberId === '') {
      member = {
        memberId: `${clientId}-${randomUUID()}`,
        clientId,
        clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        protocols: req.protocols,
        assignment: EMPTY,
        sessionDeadline: 0,
        joinWaiter: undefined,
        syncWaiter: undefined,
      };
      group.members.set(member.memberId, member);
    } else {
      member = group.members.get(req.memberId);
      if (!member) return Promise.resolve(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
      member.protocols = req.protocols;
      member.sessionTimeoutMs = req.sessionTimeoutMs;
      member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    }
    group.protocolType = req.protocolType;
    this.touch(member);
    // A repeated join from the same member replaces its parked one (the client gave up on it).
    member.joinWaiter?.(this.joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
    const joined = member;
    const result = new Promise<JoinGroupResponse>((resolve) => {
      joined.joinWaiter = resolve;
    });
    if (group.state !== 'PreparingRebalance') this.prepareRebalance(group);
    else this.tryCompleteJoin(group);
    return result;
  }

  private prepareRebalance(group: Group): void {
    const fresh = group.state === 'Empty' || group.state === 'Dead';
    group.state = 'PreparingRebalance';
    for (const m of group.members.values()) {
      m.syncWaiter?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      m.syncWaiter = undefined;
    }
    if (group.joinTimer) clearTimeout(group.joinTimer);
    if (fresh && this.options.initialRebalanceDelayMs > 0) {
      group.initialDelayPending = true;
      group.joinTimer = setTimeout(() => {
        group.initialDelayPending = false;
        group.joinTimer = undefined;
        this.tryCompleteJoin(group);
        if (group.state === 'PreparingRebalance') this.armRebalanceTimeout(group);
      }, this.options.initialRebalanceDelayMs);
    } else {
      group.initialDelayPending = false;
      this.armRebalanceTimeout(group);
      this.tryCompleteJoin(group);
    }
  }

  private armRebalanceTimeout(group: Group): void {
    if (group.joinTimer) clearTimeout(group.joinTimer);
    const timeout = Math.max(0, ...[...group.members.values()].map((m) => m.rebalanceTimeoutMs));
    group.joinTimer = setTimeout(() => {
      group.joinTimer = undefined;
      this.completeJoin(group);
    }, timeout);
  }

  private tryCompleteJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance' || group.initialDelayPending) return;
    if ([...group.members.values()].every((m) => m.joinWaiter !== undefined)) this.completeJoin(group);
  }

  private commonProtocols(group: Group, candidates: readonly string[]): string[] {
    return candidates.filter((name) => [...group.members.values()].every((m) => m.protocols.some((p) => p.name === name)));
  }

  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    if (group.joinTimer) clearTimeout(group.joinTimer);
    group.joinTimer = undefined;
    // Members that did not rejoin within the rebalance timeout are dropped, as Kafka does.
    for (const [id, m] of group.members) if (!m.joinWaiter) group.members.delete(id);
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.generationId++;
      group.leaderId = '';
      group.protocol = '';
      return;
    }
    const members = [...group.members.values()];
    const first = members[0] as Member;
    const candidates = this.commonProtocols(group, first.protocols.map((p) => p.name));
    const votes = new Map<string, number>();
    for (const m of members) {
      const pick = m.protocols.find((p) => candidates.includes(p.name));
      if (pick) votes.set(pick.name, (votes.get(pick.name) ?? 0) + 1);
    }
    const protocol = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    group.generationId++;
    if (!protocol) {
      for (const m of members) this.failParked(m, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      group.members.clear();
      group.state = 'Empty';
      return;
    }
    group.protocol = protocol;
    if (!group.members.has(group.leaderId)) group.leaderId = first.memberId;
    group.state = 'CompletingRebalance';
    const memberList = members.map((m) => ({ memberId: m.memberId, metadata: m.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY }));
    for (const m of members) {
      const waiter = m.joinWaiter;
      m.joinWaiter = undefined;
      this.touch(m);
      waiter?.({
        errorCode: 0,
        generationId: group.generationId,
        protocol,
        leaderId: group.leaderId,
        memberId: m.memberId,
        members: m.memberId === group.leaderId ? memberList : [],
      });
    }
  }

  private failParked(m: Member, code: number): void {
    m.joinWaiter?.(this.joinError(code, m.memberId));
    m.joinWaiter = undefined;
    m.syncWaiter?.({ errorCode: code, assignment: EMPTY });
    m.syncWaiter = undefined;
  }

  /** Checks member and generation; returns an error code or 0. */
  private checkMember(group: Group | undefined, memberId: string, generationId: number): number {
    if (!group || group.state === 'Dead') return ErrorCode.UNKNOWN_MEMBER_ID;
    const m = group.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.touch(m);
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return 0;
  }

  /** Handles SyncGroup; followers are parked until the leader supplies the assignment. */
  sync(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    const group = this.groups.get(req.groupId);
    const code = this.checkMember(group, req.memberId, req.generationId);
    if (code !== 0 || !group) return Promise.resolve({ errorCode: code, assignment: EMPTY });
    const member = group.members.get(req.memberId) as Member;
    if (group.state === 'PreparingRebalance') return Promise.resolve({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    if (group.state === 'Stable') return Promise.resolve({ errorCode: 0, assignment: member.assignment });
    const result = new Promise<SyncGroupResponse>((resolve) => {
      member.syncWaiter = resolve;
    });
    if (req.memberId === group.leaderId) {
      const given = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
      for (const m of group.members.values()) m.assignment = given.get(m.memberId) ?? EMPTY;
      group.state = 'Stable';
      for (const m of group.members.values()) {
        m.syncWaiter?.({ errorCode: 0, assignment: m.assignment });
        m.syncWaiter = undefined;
      }
    }
    return result;
  }

  /** Handles Heartbeat. */
  heartbeat(groupId: string, memberId: string, generationId: number): number {
    const group = this.groups.get(groupId);
    const code = this.checkMember(group, memberId, generationId);
    if (code !== 0) return code;
    return group?.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : 0;
  }

  /** Handles LeaveGroup. */
  leave(groupId: string, memberId: string): number {
    const group = this.groups.get(groupId);
    const m = group?.members.get(memberId);
    if (!group || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(group, m);
    return 0;
  }

  private removeMember(group: Group, m: Member): void {
    this.failParked(m, ErrorCode.UNKNOWN_MEMBER_ID);
    group.members.delete(m.memberId);
    if (group.members.size === 0) {
      if (group.joinTimer) clearTimeout(group.joinTimer);
      group.joinTimer = undefined;
      group.initialDelayPending = false;
      group.state = 'Empty';
      group.generationId++;
      group.leaderId = '';
      group.protocol = '';
    } else if (group.state === 'PreparingRebalance') {
      this.tryCompleteJoin(group);
    } else {
      this.prepareRebalance(group);
    }
  }

  private expireSessions(): void {
    const now = Date.now();
    for (const group of this.groups.values()) {
      for (const m of [...group.members.values()]) {
        // A member parked in JoinGroup is waiting on us, not idle.
        if (!m.joinWaiter && m.sessionDeadline < now) this.removeMember(group, m);
      }
    }
  }

  /** Validates an OffsetCommit against the group state; returns the error for every partition or 0. */
  checkCommit(groupId: string, memberId: string, generationId: number): number {
    const group = this.groups.get(groupId);
    if (generationId < 0 && memberId === '') {
      // A "simple" commit (admin tools, manual assignment) is only allowed while no member is active.
      return !group || group.state === 'Empty' || group.state === 'Dead' ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
    }
    const code = this.checkMember(group, memberId, generationId);
    if (code !== 0) return code;
    return group?.state === 'CompletingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : 0;
  }

  /** Stores a committed offset (after {@link checkCommit} passed). */
  commit(groupId: string, topic: string, partition: number, offset: bigint, metadata: string | null): void {
    let group = this.groups.get(groupId);
    if (!group) {
      group = newGroup(groupId);
      this.groups.set(groupId, group);
    }
    group.offsets.set(offsetKey(topic, partition), { offset, metadata });
    this.listener?.({ t: 'offset.commit', group: groupId, topic, partition, offset: offset.toString(), metadata });
  }

  /** A committed offset, if any. */
  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.offsets.get(offsetKey(topic, partition));
  }

  /** Every committed offset of a group, grouped by topic. */
  allCommitted(groupId: string): Map<string, Array<{ partition: number } & CommittedOffset>> {
    const out = new Map<string, Array<{ partition: number } & CommittedOffset>>();
    for (const [key, value] of this.groups.get(groupId)?.offsets ?? []) {
      const { topic, partition } = splitOffsetKey(key);
      const list = out.get(topic) ?? [];
      list.push({ partition, ...value });
      out.set(topic, list);
    }
    return out;
  }

  /** Forgets committed offsets of a deleted topic, as Kafka does. */
  dropTopic(topic: string): void {
    for (const g of this.groups.values()) for (const key of [...g.offsets.keys()]) if (splitOffsetKey(key).topic === topic) g.offsets.delete(key);
  }

  /** DescribeGroups view of one group (unknown groups are reported as Dead, error 0). */
  describe(groupId: string): DescribedGroup {
    const g = this.groups.get(groupId);
    if (!g) return { errorCode: 0, groupId, state: 'Dead', protocolType: '', protocol: '', members: [] };
    const stable = g.state === 'Stable' || g.state === 'CompletingRebalance';
    return {
      errorCode: 0,
      groupId,
      state: g.state,
      protocolType: g.protocolType,
      protocol: stable ? g.protocol : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? (m.protocols.find((p) => p.name === g.protocol)?.metadata ?? EMPTY) : EMPTY,
        assignment: g.state === 'Stable' ? m.assignment : EMPTY,
      })),
    };
  }

  /** Deletes an empty group and its offsets; returns Kafka's error code. */
  delete(groupId: string): number {
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    this.groups.delete(groupId);
    this.listener?.({ t: 'group.delete', group: groupId });
    return 0;
  }

  /** Replays a persisted event (startup). */
  replay(e: GroupEvent): void {
    const saved = this.listener;
    this.listener = undefined;
    if (e.t === 'offset.commit') this.commit(e.group, e.topic, e.partition, BigInt(e.offset), e.metadata);
    else this.groups.delete(e.group);
    this.listener = saved;
  }
}
