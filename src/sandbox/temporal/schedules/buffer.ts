/**
 * Overlap policies as a pure function: given the starts waiting in a schedule's buffer and whether
 * one of its workflows is still running, decide what to start now, what to keep waiting, and
 * whether the running workflow must be cancelled or terminated first.
 */
import { temporal } from '@temporalio/proto';

export const OverlapPolicy = temporal.api.enums.v1.ScheduleOverlapPolicy;
export type OverlapPolicy = temporal.api.enums.v1.ScheduleOverlapPolicy;

/** Most starts BUFFER_ALL keeps waiting; beyond this they are dropped and counted (as the server does). */
export const MAX_BUFFER_SIZE = 1000;

/** One action waiting to be taken. Times are epoch ms. */
export interface BufferedStart {
  /** The spec's time for this action (or the trigger time); names the workflow id. */
  nominal: number;
  /** When it became due; equals `nominal` since jitter is not applied. */
  actual: number;
  /** Resolved policy (never UNSPECIFIED). */
  overlapPolicy: OverlapPolicy;
  /** Trigger or backfill: taken even when paused or out of remaining actions. */
  manual: boolean;
}

/** What {@link processBuffer} decided. */
export interface BufferDecision {
  /** Start these now, in order. */
  start: BufferedStart[];
  /** Keep these waiting for the running workflow to close. */
  keep: BufferedStart[];
  overlapSkipped: number;
  bufferDropped: number;
  cancelRunning: boolean;
  terminateRunning: boolean;
}

/** Accepts the enum as a number or its name (decoded vs JSON messages); UNSPECIFIED and unknown become `fallback`. */
export function resolveOverlapPolicy(value: unknown, fallback: OverlapPolicy = OverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP): OverlapPolicy {
  const n = typeof value === 'string' ? (OverlapPolicy as unknown as Record<string, number>)[value] : value;
  if (typeof n !== 'number' || n <= 0 || n > OverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL) return fallback;
  return n as OverlapPolicy;
}

/**
 * Applies each waiting start's overlap policy in order. `running` says whether a workflow that
 * blocks overlap (any not started under ALLOW_ALL) is still open.
 */
export function processBuffer(buffer: readonly BufferedStart[], running: boolean): BufferDecision {
  const d: BufferDecision = { start: [], keep: [], overlapSkipped: 0, bufferDropped: 0, cancelRunning: false, terminateRunning: false };
  let busy = running;
  for (const s of buffer) {
    if (s.overlapPolicy === OverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL) {
      d.start.push(s);
      continue;
    }
    if (!busy) {
      d.start.push(s);
      busy = true;
      continue;
    }
    switch (s.overlapPolicy) {
      case OverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE:
        if (d.keep.length > 0) d.overlapSkipped++;
        else d.keep.push(s);
        break;
      case OverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL:
        if (d.keep.length >= MAX_BUFFER_SIZE) d.bufferDropped++;
        else d.keep.push(s);
        break;
      case OverlapPolicy.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER:
      case OverlapPolicy.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER:
        // The newest start replaces whatever was waiting; it runs once the old one is gone.
        d.overlapSkipped += d.keep.length;
        d.keep = [s];
        if (s.overlapPolicy === OverlapPolicy.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER) d.cancelRunning = true;
        else d.terminateRunning = true;
        break;
      default:
        d.overlapSkipped++;
    }
  }
  return d;
}
