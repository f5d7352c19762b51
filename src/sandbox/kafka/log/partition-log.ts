import { recordStamps, type BatchSummary } from './record-batch';

/** One batch as stored: raw bytes with the broker-assigned base offset already written in. */
export interface StoredBatch {
  baseOffset: number;
  /** Offset of the batch's last record. */
  lastOffset: number;
  /** Largest record timestamp in the batch (from the records, not the header). */
  maxTimestamp: number;
  data: Buffer;
}

/** Receives every appended batch, so a journal can persist it. */
export type AppendSink = (batch: StoredBatch) => void;

/**
 * One partition's log: record batches kept as the bytes the producer sent (only baseOffset and
 * leader epoch rewritten), so a fetch is a slice of stored buffers. Each stored batch plays the
 * role of a Kafka segment for retention and DeleteRecords: deletion removes whole batches from the
 * head and advances the log start offset.
 *
 * Offsets are JS numbers internally (exact up to 2^53, far beyond a sandbox's lifetime).
 */
export class PartitionLog {
  private batches: StoredBatch[] = [];
  /** Index of the first live batch in `batches`; the array is compacted lazily. */
  private head = 0;
  /** prefixMax[i] = max timestamp over live batches head..i (rebuilt after head deletions). */
  private prefixMax: number[] = [];
  private prefixDirty = false;
  private bytes = 0;
  logStartOffset = 0;
  logEndOffset = 0;
  /** Called after data is appended (fetch long-polls wait on it). */
  onAppend: (() => void) | undefined;
  sink: AppendSink | undefined;

  /** Total stored bytes of the live batches. */
  get sizeBytes(): number {
    return this.bytes;
  }

  /** Live batches, oldest first (tests and persistence). */
  liveBatches(): readonly StoredBatch[] {
    return this.batches.slice(this.head);
  }

  /** Appends validated batches; returns the base offset of the first. */
  append(batches: readonly BatchSummary[]): number {
    const first = this.logEndOffset;
    for (const b of batches) {
      b.data.writeBigInt64BE(BigInt(this.logEndOffset), 0);
      b.data.writeInt32BE(0, 12);
      const stored: StoredBatch = {
        baseOffset: this.logEndOffset,
        lastOffset: this.logEndOffset + b.lastOffsetDelta,
        maxTimestamp: b.maxTimestamp,
        data: b.data,
      };
      this.push(stored);
      this.sink?.(stored);
    }
    this.onAppend?.();
    return first;
  }

  /** Restores a batch read back from a journal (offsets already assigned). */
  restore(batch: StoredBatch): void {
    if (this.liveCount() === 0 && this.logEndOffset < batch.baseOffset) this.logStartOffset = batch.baseOffset;
    this.push(batch);
  }

  private push(stored: StoredBatch): void {
    this.batches.push(stored);
    this.bytes += stored.data.length;
    this.logEndOffset = stored.lastOffset + 1;
    if (!this.prefixDirty) {
      const prev = this.prefixMax.length > this.head ? (this.prefixMax[this.prefixMax.length - 1] as number) : -Infinity;
      this.prefixMax.push(Math.max(prev, stored.maxTimestamp));
    }
  }

  private liveCount(): number {
    return this.batches.length - this.head;
  }

  /** Index of the live batch containing `offset`, or of the first batch after it. */
  private indexOf(offset: number): number {
    let lo = this.head;
    let hi = this.batches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.batches[mid] as StoredBatch).lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Whole batches starting with the one that holds `offset`. The first batch is always returned
   * in full (a client cannot decode a truncated first batch); later ones only while they fit.
   */
  read(offset: number, maxBytes: number): Buffer[] {
    if (offset >= this.logEndOffset || this.liveCount() === 0) return [];
    const out: Buffer[] = [];
    let size = 0;
    for (let i = this.indexOf(offset); i < this.batches.length; i++) {
      const b = this.batches[i] as StoredBatch;
      if (out.length > 0 && size + b.data.length > maxBytes) break;
      out.push(b.data);
      size += b.data.length;
    }
    return out;
  }

  /** Bytes available from `offset` to the end (for min_bytes), capped at `cap`. */
  bytesAvailable(offset: number, cap: number): number {
    if (offset >= this.logEndOffset || this.liveCount() === 0) return 0;
    let size = 0;
    for (let i = this.batches.length - 1; i >= this.head && size < cap; i--) {
      const b = this.batches[i] as StoredBatch;
      if (b.lastOffset < offset) break;
      size += b.data.length;
    }
    return size;
  }

  private rebuildPrefix(): void {
    this.prefixMax = new Array<number>(this.batches.length);
    let max = -Infinity;
    for (let i = this.head; i < this.batches.length; i++) {
      max = Math.max(max, (this.batches[i] as StoredBatch).maxTimestamp);
      this.prefixMax[i] = max;
    }
    this.prefixDirty = false;
  }

  /**
   * The first offset whose record timestamp is >= `timestamp`, with that record's timestamp;
   * null if no live record qualifies. Binary search over the running max of batch timestamps
   * finds the first batch holding such a record; its records are then decoded to pick the exact one.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    if (this.liveCount() === 0) return null;
    if (this.prefixDirty) this.rebuildPrefix();
    let lo = this.head;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.prefixMax[mid] as number) >= timestamp) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < this.batches.length; i++) {
      const b = this.batches[i] as StoredBatch;
      for (const s of recordStamps(b.data)) {
        const offset = b.baseOffset + s.offsetDelta;
        if (s.timestamp >= timestamp && offset >= this.logStartOffset) return { offset, timestamp: s.timestamp };
      }
    }
    return null;
  }

  /**
   * Restores a log start offset from a journal. When the data below it is gone from disk too
   * (everything was deleted), the log end moves up with it, so offsets are never handed out twice.
   */
  restoreStart(offset: number): void {
    if (offset > this.logEndOffset && this.liveCount() === 0) {
      this.logStartOffset = this.logEndOffset = offset;
      return;
    }
    this.deleteBefore(offset);
  }

  /** Drops batches entirely below `offset` and sets the log start offset (DeleteRecords). */
  deleteBefore(offset: number): void {
    const target = Math.min(Math.max(offset, this.logStartOffset), this.logEndOffset);
    while (this.head < this.batches.length && (this.batches[this.head] as StoredBatch).lastOffset < target) this.dropHead();
    this.logStartOffset = target;
    this.compact();
  }

  /**
   * Applies `retention.ms` and `retention.bytes` at `now`: head batches whose newest record is
   * older than the retention window, or that push the log over its size limit, are removed.
   * Returns the number of batches removed.
   */
  applyRetention(now: number, retentionMs: number, retentionBytes: number): number {
    let removed = 0;
    while (this.head < this.batches.length) {
      const b = this.batches[this.head] as StoredBatch;
      const expired = retentionMs >= 0 && b.maxTimestamp < now - retentionMs;
      const oversize = retentionBytes >= 0 && this.bytes - b.data.length >= retentionBytes;
      if (!expired && !oversize) break;
      this.dropHead();
      removed++;
    }
    if (removed > 0) {
      const next = this.batches[this.head];
      this.logStartOffset = Math.max(this.logStartOffset, next ? next.baseOffset : this.logEndOffset);
      this.compact();
    }
    return removed;
  }

  private dropHead(): void {
    const b = this.batches[this.head] as StoredBatch;
    this.bytes -= b.data.length;
    this.batches[this.head] = undefined as unknown as StoredBatch;
    this.head++;
    this.prefixDirty = true;
  }

  private compact(): void {
    if (this.head > 1024 && this.head > this.batches.length / 2) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
      this.prefixDirty = true;
    }
  }
}
