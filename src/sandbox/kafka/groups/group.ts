import type { JoinGroupResponse } from '../protocol/join-group/v0';
import type { SyncGroupResponse } from '../protocol/sync-group/v0';

/** Group states as Kafka names them (DescribeGroups reports these strings). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** One member of a consumer group. */
export interface Member {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: Array<{ name: string; metadata: Buffer }>;
  assignment: Buffer;
  /** Wall-clock deadline after which the member is considered dead. */
  sessionDeadline: number;
  /** Parked JoinGroup response, resolved when the rebalance completes. */
  joinWaiter: ((res: JoinGroupResponse) => void) | undefined;
  /** Parked SyncGroup response, resolved when the leader sends the assignment. */
  syncWaiter: ((res: SyncGroupResponse) => void) | undefined;
}

/** A committed offset. */
export interface CommittedOffset {
  offset: bigint;
  metadata: string | null;
}

/** A consumer group and its committed offsets. */
export interface Group {
  readonly groupId: string;
  state: GroupState;
  generationId: number;
  protocolType: string;
  protocol: string;
  leaderId: string;
  readonly members: Map<string, Member>;
  /** Committed offsets keyed by `topic\0partition`. */
  readonly offsets: Map<string, CommittedOffset>;
  /** Completes the current join phase when it fires (initial delay or rebalance timeout). */
  joinTimer: NodeJS.Timeout | undefined;
  /** True while the initial-rebalance delay of a fresh group runs. */
  initialDelayPending: boolean;
}

/** Key of a committed offset. */
export function offsetKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/** Splits an {@link offsetKey}. */
export function splitOffsetKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf('\0');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/** Creates an empty group. */
export function newGroup(groupId: string): Group {
  return {
    groupId,
    state: 'Empty',
    generationId: 0,
    protocolType: '',
    protocol: '',
    leaderId: '',
    members: new Map(),
    offsets: new Map(),
    joinTimer: undefined,
    initialDelayPending: false,
  };
}
