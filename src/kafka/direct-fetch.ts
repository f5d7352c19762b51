import type { Admin } from 'kafkajs';
import type { CommittedOffset, PartitionLog } from '../domain/forensic-window';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import type { KafkaConnection } from './client';
import { type Answer, type Digest, lookupTimestamps } from './direct-fetch/edge-lookup';
import { DirectFetchError, grow, MAX_PARTITION_BYTES, OFFSET_OUT_OF_RANGE } from './direct-fetch/errors';
import { GroupOffsets } from './direct-fetch/group-offsets';
import { decodeMetadataTopicIds, encodeMetadataAllTopics, METADATA_API_KEY, METADATA_MAX_VERSION, METADATA_MIN_TOPIC_ID_VERSION } from './direct-fetch/metadata-v10';
import { decodeFetch, encodeFetch, FETCH_API_KEY, FETCH_VERSION, type FetchPartitionRequest, type FetchPartitionResponse } from './direct-fetch/fetch-v4';
import { decodeListOffsets, EARLIEST, encodeListOffsets, LATEST, LIST_OFFSETS_API_KEY, LIST_OFFSETS_VERSION } from './direct-fetch/list-offsets-v1';
import { decodeRecordSet, RecordBatchError } from './direct-fetch/record-batch';
import { lookupBatches, type BatchHeader } from './direct-fetch/batch-headers';
import type { SampledRecords } from './offsets';
import type { OffsetSpan, ReadRecord } from './record-sample';
import { authenticate, supports, type ApiVersionRanges } from './scram-admin/authenticate';
import { BrokerConnection } from './scram-admin/connection';
import { adminErrorName } from './scram-admin/errors';
import type { KafkaReader, KafkaWriter } from './wire';

export { RecordBatchError } from './direct-fetch/record-batch';
export { DirectFetchError } from './direct-fetch/errors';
export { batchKey, type BatchHeader } from './direct-fetch/batch-headers';

/**
 * Reading a topic with plain Fetch requests on assigned partitions (design §7): no consumer group
 * (no join, no rebalance delay, nothing left on the cluster), one Fetch per broker leader carrying
 * every partition it leads, and byte limits sized for the job — tens of KB per partition to read
 * the timestamp at an edge, larger to stream a range. A partition whose batch does not fit its
 * limit is asked again with a larger one (a real broker cuts the batch short; only then).
 *
 * Logs in like every other raw-protocol client here (`scram-admin/authenticate`: SASL PLAIN or
 * SCRAM, TLS when the connection says so). Leaders and broker addresses come from kafkajs metadata.
 */

/** Options of {@link DirectFetchReader}. */
export interface DirectFetchOptions {
  /** @default 'breachline-forensics' */
  clientId?: string;
  logger?: Logger;
  /**
   * Per-partition byte limit of an edge lookup (one record's timestamp): one batch of a producer
   * with the default `batch.size`; a larger batch is asked again with its announced size. @default 16384
   */
  edgeBytes?: number;
  /**
   * Fetch requests sent together per round of an edge lookup: with 2, a range's two edges are one
   * round trip instead of two, worth it where the round trip is long. Where a partition's edges
   * share a batch (or fit in one limit) each slot brings that batch back again: measured on the
   * 1,000 × 200 bench, 2 slots cost 350 ms of CPU per window against 222 ms with 1. @default 1
   */
  edgeSlots?: number;
  /** Per-partition byte limit while streaming a range. @default 1048576 */
  rangeBytes?: number;
  /** Limit of one Fetch response; more partitions go into further requests. @default 33554432 */
  maxResponseBytes?: number;
  /** @default 30000 */
  requestTimeoutMs?: number;
}

/** What the reader has asked for so far: requests sent and record-set bytes received. */
export interface DirectFetchStats {
  requests: number;
  bytes: number;
}

/** Receives each partition's records of the current span and how far the span has been read. */
export type RangeConsumer = (partition: number, records: ReadRecord[], next: bigint) => void | Promise<void>;

/** Leadership moved or is moving: refresh metadata and ask the new leader. */
const LEADER_ERRORS: ReadonlySet<number> = new Set([3, 5, 6, 74, 75]);
const MAX_LEADER_RETRIES = 3;

/** See the module comment. One authenticated connection per broker, opened on first use. */
export class DirectFetchReader {
  readonly stats: DirectFetchStats = { requests: 0, bytes: 0 };
  private readonly logger: Logger;
  private readonly connections = new Map<number, Promise<BrokerConnection>>();
  private readonly leaders = new Map<string, Map<number, number>>();
  private brokers: Map<number, { host: string; port: number }> | undefined;
  private readonly groupOffsets: GroupOffsets;
  /** API versions per broker, as each answered ApiVersions when its connection was opened. */
  private readonly apis = new Map<number, ApiVersionRanges>();

  constructor(
    private readonly connection: KafkaConnection,
    private readonly admin: Admin,
    private readonly options: DirectFetchOptions = {},
  ) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'direct-fetch' });
    this.groupOffsets = new GroupOffsets({
      anyBroker: () => this.connectionTo(this.anyBroker()),
      connectTo: (c) => {
        const known = this.brokers?.get(c.nodeId);
        // A coordinator the metadata did not list yet (it joined since): reached at the address given.
        if (known === undefined || known.host !== c.host || known.port !== c.port) (this.brokers ??= new Map()).set(c.nodeId, { host: c.host, port: c.port });
        return this.connectionTo(c.nodeId);
      },
      drop: (nodeId) => this.connections.delete(nodeId),
      counted: () => void this.stats.requests++,
      logger: this.logger,
      error: (message, code) => new DirectFetchError(message, code),
    });
  }

  /**
   * Committed offsets of `groups` on each of `topics` (every partition), by topic; partitions a
   * group never committed are left out. One FindCoordinator per group for the reader's life and one
   * OffsetFetch per group carrying all the topics, groups in parallel (see direct-fetch/group-offsets).
   */
  async committedOffsets(groups: readonly string[], topics: readonly string[]): Promise<Map<string, CommittedOffset[]>> {
    const asked = await Promise.all(topics.map(async (topic) => ({ topic, partitions: [...(await this.leadersOf(topic, false)).keys()].sort((a, b) => a - b) })));
    return this.groupOffsets.committed(groups, asked);
  }

  /**
   * The record timestamp at each `{partition, offset}`, and the mean stored size of those records.
   * Offsets without a record (below the log start, at or past the high watermark, control records,
   * compacted away) are absent from the result. See direct-fetch/edge-lookup.
   */
  timestampsAt(topic: string, points: ReadonlyArray<{ partition: number; offset: string | bigint }>): Promise<SampledRecords> {
    return lookupTimestamps(topic, points, { fetch: (wants, digest) => this.fetch(topic, wants, digest), edgeBytes: this.edgeBytes, edgeSlots: this.edgeSlots });
  }

  /**
   * Reads every span (per partition in order, spans of a partition not overlapping; `to` exclusive),
   * all partitions at once, one Fetch per leader per round. `onRecords` gets the records of the
   * current span and the offset up to which that span is read (a checkpoint: resuming there misses
   * nothing and reads nothing twice). A span past the log end fails with OFFSET_OUT_OF_RANGE.
   */
  async readRanges(topic: string, spans: readonly OffsetSpan[], onRecords: RangeConsumer): Promise<void> {
    const queues = new Map<number, OffsetSpan[]>();
    for (const s of spans) {
      if (s.to <= s.from) continue;
      const q = queues.get(s.partition) ?? [];
      q.push({ ...s });
      queues.set(s.partition, q);
    }
    const limit = new Map<number, number>();
    while (queues.size > 0) {
      const wants = [...queues].map(([partition, q]) => ({ partition, offset: (q[0] as OffsetSpan).from, maxBytes: limit.get(partition) ?? this.rangeBytes }));
      const answers = await this.fetch(topic, wants);
      for (const want of wants) {
        const answer = answers.get(want.partition) as FetchPartitionResponse;
        const q = queues.get(want.partition) as OffsetSpan[];
        const span = q[0] as OffsetSpan;
        if (answer.errorCode === OFFSET_OUT_OF_RANGE || (answer.records.length === 0 && want.offset >= answer.highWatermark)) {
          throw new DirectFetchError(`${topic}/${want.partition}: nothing to read at ${want.offset} (high watermark ${answer.highWatermark}, span to ${span.to})`, OFFSET_OUT_OF_RANGE);
        }
        const decoded = decodeRecordSet(answer.records, want.offset);
        if (decoded.nextOffset === undefined) {
          limit.set(want.partition, grow(want.maxBytes, decoded.truncatedBatchBytes, topic, want.partition));
          continue;
        }
        limit.delete(want.partition);
        const records = decoded.records.filter((r) => r.offset < span.to);
        const next = decoded.nextOffset < span.to ? decoded.nextOffset : span.to;
        await onRecords(want.partition, records, next);
        if (next < span.to) span.from = next;
        else {
          q.shift();
          if (q.length === 0) queues.delete(want.partition);
        }
      }
    }
  }

  /**
   * ListOffsets on every partition of `topic` for each of `timestamps` (EARLIEST, LATEST or a time),
   * one request per leader and timestamp, all at once on the reader's connections: no metadata
   * refresh per call as kafkajs' admin makes. Per timestamp, offset by partition; by time, a
   * partition with no record at or after it gets -1.
   */
  async listOffsets(topic: string, timestamps: readonly bigint[]): Promise<Array<Map<number, bigint>>> {
    for (let attempt = 0; ; attempt++) {
      const leaders = await this.leadersOf(topic, attempt > 0);
      const byLeader = new Map<number, number[]>();
      for (const [partition, leader] of leaders) {
        if (leader < 0) throw new DirectFetchError(`${topic}/${partition} has no leader`, 5);
        const list = byLeader.get(leader);
        if (list === undefined) byLeader.set(leader, [partition]);
        else list.push(partition);
      }
      const results = timestamps.map(() => new Map<number, bigint>());
      let moved = false;
      await Promise.all(
        [...byLeader].flatMap(([leader, partitions]) =>
          timestamps.map(async (timestamp, i) => {
            const conn = await this.connectionTo(leader);
            this.stats.requests++;
            const answers = decodeListOffsets(await conn.request(LIST_OFFSETS_API_KEY, LIST_OFFSETS_VERSION, false, (w) => encodeListOffsets(w, topic, partitions, timestamp)), topic);
            for (const a of answers) {
              if (a.errorCode === 0) (results[i] as Map<number, bigint>).set(a.partition, a.offset);
              else if (LEADER_ERRORS.has(a.errorCode) && attempt < MAX_LEADER_RETRIES) moved = true;
              else throw new DirectFetchError(`${topic}/${a.partition}: ListOffsets failed with ${adminErrorName(a.errorCode)}`, a.errorCode);
            }
          }),
        ),
      );
      if (!moved) {
        for (const r of results) for (const p of leaders.keys()) if (!r.has(p)) throw new DirectFetchError(`${topic}/${p}: the broker did not answer ListOffsets for this partition`, -1);
        return results;
      }
      this.logger.info({ topic }, 'leaders moved during ListOffsets; asking again');
    }
  }

  /**
   * The header of the batch holding each offset (`partition:offset` → header; undefined where no
   * batch holds it any more): which offsets a logged produce took and its producer id, read
   * without decoding records (see direct-fetch/batch-headers).
   */
  async batchesAt(topic: string, offsets: ReadonlyArray<{ partition: number; offset: bigint }>): Promise<Map<string, BatchHeader | undefined>> {
    return lookupBatches(offsets, { fetch: (wants) => this.fetch(topic, wants), edgeBytes: this.edgeBytes, grow: (current, bytes, partition) => grow(current, bytes, topic, partition) });
  }

  /** Log start and high watermark of every partition (as `logBounds`, over the reader's connections). */
  async logBounds(topic: string): Promise<PartitionLog[]> {
    const [low, high] = (await this.listOffsets(topic, [EARLIEST, LATEST])) as [Map<number, bigint>, Map<number, bigint>];
    return [...high.keys()].sort((a, b) => a - b).map((partition) => ({ partition, logStartOffset: String(low.get(partition)), highWatermark: String(high.get(partition)) }));
  }

  /**
   * Per partition the first offset whose record timestamp is at or after `timestamp`, the high
   * watermark where none is (as `offsetsAtTime`).
   */
  async offsetsAtTime(topic: string, timestamp: number): Promise<Record<number, string>> {
    const [byTime, high] = (await this.listOffsets(topic, [BigInt(timestamp), LATEST])) as [Map<number, bigint>, Map<number, bigint>];
    const out: Record<number, string> = {};
    for (const [partition, offset] of byTime) out[partition] = String(offset >= 0n ? offset : (high.get(partition) as bigint));
    return out;
  }

  /**
   * `logBounds` and, given a time, `offsetsAtTime` in one go: earliest, latest and by-time asked
   * together, one request each per leader (the high watermark serves both).
   */
  async boundsAt(topic: string, timestamp?: number): Promise<{ partitions: PartitionLog[]; atTime?: Record<number, string> }> {
    const asked = timestamp === undefined ? [EARLIEST, LATEST] : [EARLIEST, LATEST, BigInt(timestamp)];
    const [low, high, byTime] = (await this.listOffsets(topic, asked)) as [Map<number, bigint>, Map<number, bigint>, Map<number, bigint> | undefined];
    const partitions = [...high.keys()].sort((a, b) => a - b).map((partition) => ({ partition, logStartOffset: String(low.get(partition)), highWatermark: String(high.get(partition)) }));
    if (byTime === undefined) return { partitions };
    const atTime: Record<number, string> = {};
    for (const [partition, offset] of byTime) atTime[partition] = String(offset >= 0n ? offset : (high.get(partition) as bigint));
    return { partitions, atTime };
  }

  /**
   * Topic id (as Kafka prints it) → name, for every topic the cluster lists, from Metadata v10–v12
   * (KIP-516): Fetch v13+ and its request-log lines name topics by id. Undefined when the broker
   * speaks no Metadata version that carries ids (before Kafka 2.8; the sandbox), so the caller can
   * say why ids stay unmapped.
   */
  async topicIds(): Promise<Map<string, string> | undefined> {
    if (this.brokers === undefined) {
      const cluster = await this.admin.describeCluster();
      this.brokers = new Map(cluster.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    }
    const nodeId = this.anyBroker();
    const conn = await this.connectionTo(nodeId);
    const range = this.apis.get(nodeId)?.get(METADATA_API_KEY);
    if (range === undefined || range.max < METADATA_MIN_TOPIC_ID_VERSION || range.min > METADATA_MAX_VERSION) return undefined;
    const version = Math.min(range.max, METADATA_MAX_VERSION);
    this.stats.requests++;
    const topics = decodeMetadataTopicIds(await conn.request(METADATA_API_KEY, version, true, (w) => encodeMetadataAllTopics(w, version)), version);
    const out = new Map<string, string>();
    for (const t of topics) if (t.errorCode === 0 && t.name !== null) out.set(t.topicId, t.name);
    return out;
  }

  /** Closes every broker connection. */
  async close(): Promise<void> {
    const open = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(open.map(async (c) => (await c.catch(() => undefined))?.close()));
  }

  private get edgeBytes(): number {
    return this.options.edgeBytes ?? 16 * 1024;
  }

  private get edgeSlots(): number {
    return Math.max(1, Math.floor(this.options.edgeSlots ?? 1));
  }

  private get rangeBytes(): number {
    return this.options.rangeBytes ?? 1024 * 1024;
  }

  /**
   * One round: the wanted partitions grouped by leader, each leader's share in as few requests as
   * the response limit allows, all sent at once. Partitions
   * whose leader moved are asked again after a metadata refresh; other errors throw.
   *
   * Without `digest` each answer keeps its record bytes (views on the response). With it, each
   * answer is digested while the response is read, from a pooled buffer, and only the digest is
   * kept (edge lookups: a few timestamps out of tens of MB).
   */
  private async fetch(topic: string, wants: readonly FetchPartitionRequest[]): Promise<Map<number, FetchPartitionResponse>>;
  private async fetch<T>(topic: string, wants: readonly FetchPartitionRequest[], digest: Digest<T>): Promise<Map<number, Answer<T>>>;
  private async fetch<T>(topic: string, wants: readonly FetchPartitionRequest[], digest?: Digest<T>): Promise<Map<number, Answer<T> | FetchPartitionResponse>> {
    const out = new Map<number, Answer<T> | FetchPartitionResponse>();
    let todo = [...wants];
    for (let attempt = 0; todo.length > 0; attempt++) {
      const leaders = await this.leadersOf(topic, attempt > 0);
      const byLeader = new Map<number, FetchPartitionRequest[]>();
      for (const w of todo) {
        const leader = leaders.get(w.partition);
        if (leader === undefined || leader < 0) throw new DirectFetchError(`${topic}/${w.partition} has no leader`, 5);
        const list = byLeader.get(leader);
        if (list === undefined) byLeader.set(leader, [w]);
        else list.push(w);
      }
      const moved: FetchPartitionRequest[] = [];
      // Every leader's requests at once, pipelined on its connection: the broker answers them in
      // order, and the client's wait is one round trip, not one per request.
      await Promise.all(
        [...byLeader].flatMap(([leader, list]) =>
          this.split(list).map(async (request) => {
            const answers = await this.send(leader, topic, request, digest);
            const asked = new Map(request.map((r) => [r.partition, r]));
            for (const answer of answers) {
              // OFFSET_OUT_OF_RANGE is the caller's to judge: no record for an edge, an error for a range.
              if (answer.errorCode === 0 || answer.errorCode === OFFSET_OUT_OF_RANGE) out.set(answer.partition, answer);
              else if (LEADER_ERRORS.has(answer.errorCode) && attempt < MAX_LEADER_RETRIES) moved.push(asked.get(answer.partition) as FetchPartitionRequest);
              else throw new DirectFetchError(`${topic}/${answer.partition}: fetch at ${asked.get(answer.partition)?.offset} failed with ${adminErrorName(answer.errorCode)}`, answer.errorCode);
            }
          }),
        ),
      );
      if (moved.length > 0) this.logger.info({ topic, partitions: moved.length, edges: digest !== undefined }, 'leaders moved; asking again');
      todo = moved;
    }
    for (const w of wants) if (!out.has(w.partition)) throw new DirectFetchError(`${topic}/${w.partition}: the broker did not answer for this partition`, -1);
    return out;
  }

  /** Splits one leader's partitions so that no request may bring back more than the response limit. */
  private split(list: readonly FetchPartitionRequest[]): FetchPartitionRequest[][] {
    const budget = this.options.maxResponseBytes ?? 32 * 1024 * 1024;
    const out: FetchPartitionRequest[][] = [];
    let current: FetchPartitionRequest[] = [];
    let size = 0;
    for (const w of list) {
      if (current.length > 0 && size + w.maxBytes > budget) {
        out.push(current);
        current = [];
        size = 0;
      }
      current.push(w);
      size += w.maxBytes;
    }
    if (current.length > 0) out.push(current);
    return out;
  }

  private async send<T>(leader: number, topic: string, partitions: readonly FetchPartitionRequest[], digest: Digest<T> | undefined): Promise<Array<Answer<T> | FetchPartitionResponse>> {
    const conn = await this.connectionTo(leader);
    const maxBytes = Math.min(MAX_PARTITION_BYTES, partitions.reduce((n, p) => n + p.maxBytes, 0));
    this.stats.requests++;
    const encode = (w: KafkaWriter): void => encodeFetch(w, { topic, partitions, maxBytes, maxWaitMs: 0 });
    const read = (reader: KafkaReader): Array<Answer<T> | FetchPartitionResponse> => {
      const answers = decodeFetch(reader).filter((t) => t.topic === topic).flatMap((t) => t.partitions);
      for (const a of answers) this.stats.bytes += a.records.length;
      if (digest === undefined) return answers;
      const asked = new Map(partitions.map((p) => [p.partition, p]));
      return answers.map((a) => {
        const want = asked.get(a.partition);
        if (want === undefined || (a.errorCode !== 0 && a.errorCode !== OFFSET_OUT_OF_RANGE)) return { partition: a.partition, errorCode: a.errorCode, highWatermark: a.highWatermark, value: undefined as T };
        return { partition: a.partition, errorCode: a.errorCode, highWatermark: a.highWatermark, value: digest(a, want) };
      });
    };
    try {
      return digest === undefined ? read(await conn.request(FETCH_API_KEY, FETCH_VERSION, false, encode)) : await conn.requestInto(FETCH_API_KEY, FETCH_VERSION, false, encode, read);
    } catch (err) {
      if (!(err instanceof RecordBatchError)) this.connections.delete(leader);
      throw err;
    }
  }

  private async leadersOf(topic: string, refresh: boolean): Promise<Map<number, number>> {
    const known = this.leaders.get(topic);
    if (known !== undefined && !refresh) return known;
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const leaders = new Map<number, number>();
    for (const p of metadata.topics.find((t) => t.name === topic)?.partitions ?? []) leaders.set(p.partitionId, p.leader);
    this.leaders.set(topic, leaders);
    if (refresh || this.brokers === undefined) {
      const cluster = await this.admin.describeCluster();
      this.brokers = new Map(cluster.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    }
    return leaders;
  }

  /** A broker to send a request any broker answers: one already connected, else the lowest id. */
  private anyBroker(): number {
    for (const nodeId of this.connections.keys()) return nodeId;
    const ids = [...(this.brokers?.keys() ?? [])];
    if (ids.length === 0) throw new DirectFetchError('no broker is known yet (no metadata was read)', 8);
    return Math.min(...ids);
  }

  private connectionTo(nodeId: number): Promise<BrokerConnection> {
    const current = this.connections.get(nodeId);
    if (current !== undefined) {
      return current.then((c) => {
        if (c.isOpen) return c;
        this.connections.delete(nodeId);
        return this.connectionTo(nodeId);
      });
    }
    const opening = this.open(nodeId);
    this.connections.set(nodeId, opening);
    opening.catch(() => {
      if (this.connections.get(nodeId) === opening) this.connections.delete(nodeId);
    });
    return opening;
  }

  private async open(nodeId: number): Promise<BrokerConnection> {
    const address = this.brokers?.get(nodeId);
    if (address === undefined) throw new DirectFetchError(`broker ${nodeId} is not in the cluster metadata`, 5);
    const conn = await BrokerConnection.open({
      ...address,
      ssl: this.connection.ssl,
      clientId: this.options.clientId ?? 'breachline-forensics',
      connectTimeoutMs: 10_000,
      requestTimeoutMs: this.options.requestTimeoutMs ?? 30_000,
    });
    try {
      const apis = await authenticate(conn, {
        mechanism: this.connection.saslMechanism,
        username: this.connection.username,
        password: this.connection.password,
        ...(this.connection.oauthBearer !== undefined ? { oauthBearer: this.connection.oauthBearer } : {}),
      });
      if (!supports(apis, FETCH_API_KEY, FETCH_VERSION)) throw new DirectFetchError(`broker ${conn.address} does not speak Fetch v${FETCH_VERSION}`, 35);
      this.apis.set(nodeId, apis);
    } catch (err) {
      await conn.close();
      throw err;
    }
    this.logger.debug({ broker: conn.address }, 'direct fetch connected');
    return conn;
  }
}

/**
 * `recordTimestampsAt` over plain Fetch requests: one reader for the call, closed after it.
 * `stats` (when given) receives the requests and bytes it took.
 */
export async function directTimestampsAt(
  connection: KafkaConnection,
  admin: Admin,
  topic: string,
  points: ReadonlyArray<{ partition: number; offset: string | bigint }>,
  options: DirectFetchOptions & { stats?: DirectFetchStats } = {},
): Promise<SampledRecords> {
  const reader = new DirectFetchReader(connection, admin, options);
  try {
    return await reader.timestampsAt(topic, points);
  } finally {
    if (options.stats !== undefined) {
      options.stats.requests += reader.stats.requests;
      options.stats.bytes += reader.stats.bytes;
    }
    await reader.close();
  }
}
