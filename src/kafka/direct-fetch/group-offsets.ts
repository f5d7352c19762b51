import type { CommittedOffset } from '../../domain/forensic-window';
import type { Logger } from '../../log/logger';
import type { BrokerConnection } from '../scram-admin/connection';
import { AdminErrorCode, adminErrorName, KafkaAdminError } from '../scram-admin/errors';
import {
  decodeFindCoordinator,
  decodeOffsetFetch,
  encodeFindCoordinator,
  encodeOffsetFetch,
  FIND_COORDINATOR_API_KEY,
  FIND_COORDINATOR_VERSION,
  OFFSET_FETCH_API_KEY,
  OFFSET_FETCH_VERSION,
  type Coordinator,
} from './offset-fetch-v3';

/**
 * Committed offsets of consumer groups on the direct reader's connections (issue 12): one
 * FindCoordinator per group, remembered for the reader's life, then one OffsetFetch per group to its
 * coordinator carrying every topic asked about, all groups at once. Replaces kafkajs' admin
 * `fetchOffsets`, which looks the coordinator up again and refreshes metadata on every call.
 *
 * A coordinator that moved or is loading (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 * COORDINATOR_LOAD_IN_PROGRESS, or its connection broke) is looked up again, a few times with a
 * short back-off; any other error is the caller's, with Kafka's name for it.
 */

/** What {@link GroupOffsets} needs of the reader. */
export interface GroupOffsetsDeps {
  /** A connection to any broker (FindCoordinator may go to any). */
  anyBroker(): Promise<BrokerConnection>;
  /** The connection to the coordinator named by a FindCoordinator answer. */
  connectTo(coordinator: { nodeId: number; host: string; port: number }): Promise<BrokerConnection>;
  /** Forgets a connection that failed, so the next call opens a new one. */
  drop(nodeId: number): void;
  /** Counts requests sent (the reader's stats). */
  counted(): void;
  logger: Logger;
  /** Makes an error carrying Kafka's error code (the reader's `DirectFetchError`). */
  error(message: string, code: number): Error;
}

/** One topic and the partitions asked about. */
export interface TopicPartitions {
  topic: string;
  partitions: readonly number[];
}

const COORDINATOR_MOVED: ReadonlySet<number> = new Set([14, 15, 16]);
const MAX_ATTEMPTS = 5;

/** See the module comment. */
export class GroupOffsets {
  private readonly coordinators = new Map<string, Promise<Coordinator>>();

  constructor(private readonly deps: GroupOffsetsDeps) {}

  /**
   * Committed offsets of every group on every topic asked about, by topic; partitions without a
   * commit are left out. Groups are asked in parallel; a group that never existed has no commits.
   */
  async committed(groups: readonly string[], topics: readonly TopicPartitions[]): Promise<Map<string, CommittedOffset[]>> {
    const out = new Map<string, CommittedOffset[]>(topics.map((t) => [t.topic, []]));
    const perGroup = await Promise.all(groups.map((g) => this.ofGroup(g, topics)));
    groups.forEach((groupId, i) => {
      for (const a of perGroup[i] ?? []) {
        if (a.offset >= 0n) out.get(a.topic)?.push({ groupId, partition: a.partition, offset: a.offset.toString() });
      }
    });
    for (const list of out.values()) list.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : a.partition - b.partition));
    return out;
  }

  private async ofGroup(groupId: string, topics: readonly TopicPartitions[]): Promise<Array<{ topic: string; partition: number; offset: bigint }>> {
    const asked = new Set(topics.map((t) => t.topic));
    for (let attempt = 1; ; attempt++) {
      const coordinator = await this.coordinatorOf(groupId, attempt);
      let answer: ReturnType<typeof decodeOffsetFetch>;
      try {
        const conn = await this.deps.connectTo(coordinator);
        this.deps.counted();
        answer = decodeOffsetFetch(await conn.request(OFFSET_FETCH_API_KEY, OFFSET_FETCH_VERSION, false, (w) => encodeOffsetFetch(w, groupId, topics)));
      } catch (err) {
        // The coordinator's broker went away: its connection is dropped and the group looked up again.
        if (!isNetworkError(err) || attempt >= MAX_ATTEMPTS) throw err;
        this.deps.drop(coordinator.nodeId);
        this.coordinators.delete(groupId);
        continue;
      }
      const moved = COORDINATOR_MOVED.has(answer.errorCode) ? answer.errorCode : answer.partitions.find((p) => COORDINATOR_MOVED.has(p.errorCode))?.errorCode;
      if (moved !== undefined && attempt < MAX_ATTEMPTS) {
        this.deps.logger.info({ groupId, error: adminErrorName(moved), attempt }, 'group coordinator moved or loading; asking again');
        this.coordinators.delete(groupId);
        await backOff(attempt);
        continue;
      }
      const failed = answer.errorCode !== 0 ? answer.errorCode : answer.partitions.find((p) => p.errorCode !== 0)?.errorCode;
      if (failed !== undefined) {
        const where = answer.errorCode !== 0 ? `group ${groupId}` : `group ${groupId} on ${answer.partitions.filter((p) => p.errorCode === failed).map((p) => `${p.topic}/${p.partition}`).slice(0, 3).join(', ')}`;
        throw this.deps.error(`${where}: OffsetFetch failed with ${adminErrorName(failed)}`, failed);
      }
      return answer.partitions.filter((p) => asked.has(p.topic));
    }
  }

  /** The group's coordinator, asked once per reader; a failed lookup is not remembered. */
  private coordinatorOf(groupId: string, attempt: number): Promise<Coordinator> {
    const known = this.coordinators.get(groupId);
    if (known !== undefined) return known;
    const asking = this.find(groupId, attempt);
    this.coordinators.set(groupId, asking);
    asking.catch(() => {
      if (this.coordinators.get(groupId) === asking) this.coordinators.delete(groupId);
    });
    return asking;
  }

  private async find(groupId: string, firstAttempt: number): Promise<Coordinator> {
    for (let attempt = firstAttempt; ; attempt++) {
      const conn = await this.deps.anyBroker();
      this.deps.counted();
      const found = decodeFindCoordinator(await conn.request(FIND_COORDINATOR_API_KEY, FIND_COORDINATOR_VERSION, false, (w) => encodeFindCoordinator(w, groupId)));
      if (found.errorCode === 0) return found;
      if (!COORDINATOR_MOVED.has(found.errorCode) || attempt >= MAX_ATTEMPTS) {
        throw this.deps.error(`group ${groupId}: FindCoordinator failed with ${adminErrorName(found.errorCode)}${found.errorMessage ? ` (${found.errorMessage})` : ''}`, found.errorCode);
      }
      await backOff(attempt);
    }
  }
}

/** 50, 100, 200, 400 ms: a coordinator elected or loading its offsets is usually ready within that. */
function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50 * 2 ** (attempt - 1)));
}

/** The connection broke or a request on it timed out (transport failures, not broker answers). */
function isNetworkError(err: unknown): boolean {
  return err instanceof KafkaAdminError && (err.code === AdminErrorCode.NETWORK_EXCEPTION || err.code === AdminErrorCode.REQUEST_TIMED_OUT);
}
