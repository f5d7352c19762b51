/**
 * Broker access records: who was allowed or denied what, and which offsets a fetch returned.
 * This is what forensics reads when reconstructing an attacker's window (design §2, forensics).
 */

/** One access record. Offsets are int64 as decimal strings; `toOffset` is exclusive. */
export interface AccessRecord {
  /** Epoch milliseconds. */
  time: number;
  /** `produce`: the batches a Produce appended (offsets, producer id), like `fetch` for reads. */
  kind: 'authorization' | 'fetch' | 'produce';
  /** `User:<name>`. */
  principal: string;
  clientId: string;
  /** Client IP address. */
  host: string;
  /** Kafka API name, e.g. `Fetch`, `Produce`, `CreateAcls`. */
  api: string;
  /** `TOPIC`, `GROUP`, `CLUSTER`, `TRANSACTIONAL_ID`. */
  resourceType: string;
  resourceName: string;
  /** `READ`, `WRITE`, … (authorization records). */
  operation?: string;
  decision: 'ALLOW' | 'DENY';
  partition?: number;
  fromOffset?: string;
  toOffset?: string;
  records?: number;
  bytes?: number;
  /** Produce records: the producer id in the batches' v2 header (-1 for a non-idempotent producer). */
  producerId?: string;
  /** Produce records: the producer epoch in the batches' header. */
  producerEpoch?: number;
}

/** Fields a query can match exactly, plus an inclusive time range. */
export type AccessLogFilter = Partial<Pick<AccessRecord, 'principal' | 'kind' | 'resourceName' | 'decision'>> & {
  /** Records at or after this epoch-ms time. */
  since?: number;
  /** Records at or before this epoch-ms time. */
  until?: number;
};

/** Options of {@link AccessLog}. */
export interface AccessLogOptions {
  /** Records kept; the oldest are dropped beyond it. @default 100000 */
  capacity?: number;
}

/** Bounded, append-only access record buffer with listeners (the broker may journal or export). */
export class AccessLog {
  private readonly capacity: number;
  private readonly ring: Array<AccessRecord | undefined>;
  /** Index of the oldest record in {@link ring}. */
  private head = 0;
  private size = 0;
  private readonly listeners: Array<(r: AccessRecord) => void> = [];

  constructor(options: AccessLogOptions = {}) {
    const capacity = options.capacity ?? 100_000;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`access log capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.ring = new Array<AccessRecord | undefined>(capacity);
  }

  /** Number of records currently held. */
  get length(): number {
    return this.size;
  }

  /** Stores a copy of the record (evicting the oldest when full) and notifies listeners. */
  append(record: AccessRecord): void {
    const stored = Object.freeze({ ...record });
    if (this.size < this.capacity) {
      this.ring[(this.head + this.size) % this.capacity] = stored;
      this.size++;
    } else {
      this.ring[this.head] = stored;
      this.head = (this.head + 1) % this.capacity;
    }
    for (const listener of this.listeners) {
      try {
        listener(stored);
      } catch {
        // A faulty observer must not break the request path that records access.
      }
    }
  }

  /** Records matching every given field, oldest first. */
  query(filter: AccessLogFilter = {}): AccessRecord[] {
    const out: AccessRecord[] = [];
    for (let i = 0; i < this.size; i++) {
      const r = this.ring[(this.head + i) % this.capacity] as AccessRecord;
      if (filter.principal !== undefined && r.principal !== filter.principal) continue;
      if (filter.kind !== undefined && r.kind !== filter.kind) continue;
      if (filter.resourceName !== undefined && r.resourceName !== filter.resourceName) continue;
      if (filter.decision !== undefined && r.decision !== filter.decision) continue;
      if (filter.since !== undefined && r.time < filter.since) continue;
      if (filter.until !== undefined && r.time > filter.until) continue;
      out.push(r);
    }
    return out;
  }

  /** Registers a listener called with each appended record. */
  onRecord(listener: (r: AccessRecord) => void): void {
    this.listeners.push(listener);
  }
}
