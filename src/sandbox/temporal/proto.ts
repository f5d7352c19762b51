import type Long from 'long';
import { temporal } from '@temporalio/proto';
// The generated root carries the runtime reflection (service and message definitions) the typings omit.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('@temporalio/proto/protos/root') as import('protobufjs').Root;

export { temporal };
export const protoRoot = root;

/**
 * A generated message type with its 64-bit fields widened to `number | Long`: the server builds
 * messages with plain numbers, which protobufjs encodes the same way.
 */
export type Loose<T> = T extends Long
  ? number | Long
  : T extends Uint8Array
    ? Uint8Array
    : T extends ReadonlyArray<infer U>
      ? Array<Loose<U>>
      : T extends object
        ? { [K in keyof T]: Loose<T[K]> }
        : T;

export type IHistoryEvent = Loose<temporal.api.history.v1.IHistoryEvent>;
export type IPayloads = Loose<temporal.api.common.v1.IPayloads>;
export type IPayload = Loose<temporal.api.common.v1.IPayload>;
export type IFailure = Loose<temporal.api.failure.v1.IFailure>;
export type IRetryPolicy = Loose<temporal.api.common.v1.IRetryPolicy>;
export type IHeader = Loose<temporal.api.common.v1.IHeader>;






export type ITimestamp = { seconds?: number | Long | null; nanos?: number | null };
export type IDuration = ITimestamp;

export const EventType = temporal.api.enums.v1.EventType;
export const CommandType = temporal.api.enums.v1.CommandType;
export const RetryState = temporal.api.enums.v1.RetryState;
export const TimeoutType = temporal.api.enums.v1.TimeoutType;
export const WorkflowExecutionStatus = temporal.api.enums.v1.WorkflowExecutionStatus;

/** protobufjs hands 64-bit integers back as `Long`; the server does all its arithmetic in numbers. */
export function num(value: number | Long | null | undefined): number {
  return value == null ? 0 : Number(value);
}

/** Epoch milliseconds as a protobuf Timestamp. */
export function timestamp(ms: number): ITimestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** A protobuf Timestamp or Duration in milliseconds; absent is 0. */
export function millis(t: ITimestamp | null | undefined): number {
  if (!t) return 0;
  return num(t.seconds) * 1000 + Math.floor(num(t.nanos) / 1e6);
}

/** Milliseconds as a protobuf Duration. */
export function duration(ms: number): IDuration {
  return timestamp(ms);
}

/** Encodes an event for the journal; decoding yields an equal message. */
export function encodeEvent(event: IHistoryEvent): string {
  const T = temporal.api.history.v1.HistoryEvent;
  return Buffer.from(T.encode(T.fromObject(event)).finish()).toString('base64');
}

/** Inverse of {@link encodeEvent}. */
export function decodeEvent(b64: string): IHistoryEvent {
  return temporal.api.history.v1.HistoryEvent.decode(Buffer.from(b64, 'base64'));
}

/** Same for failures, which the journal keeps for activity retries. */
export function encodeMessage<T>(type: { encode(m: T): { finish(): Uint8Array } }, message: T): string {
  return Buffer.from(type.encode(message).finish()).toString('base64');
}

/**
 * A history whose events are already protobuf-encoded (each event is encoded once, when it is
 * appended). The server's response serializer writes these bytes as they are instead of turning
 * the whole history back into objects and re-encoding it on every workflow task.
 */
export class EncodedHistory {
  constructor(readonly events: readonly Uint8Array[]) {}
}

/**
 * `events` as the `history` field of a response. Typed as the message the field holds so the
 * handlers keep their response types; only the server's serializer ever looks inside.
 */
export function encodedHistory(events: readonly Uint8Array[]): Loose<temporal.api.history.v1.IHistory> {
  return new EncodedHistory(events) as unknown as Loose<temporal.api.history.v1.IHistory>;
}

/** Plain JSON text of a payload's data, as the default data converter writes it. */
export function payloadJson(payload: IPayload): unknown {
  const data = payload.data ? Buffer.from(payload.data).toString('utf8') : '';
  return data === '' ? undefined : (JSON.parse(data) as unknown);
}

/** A `json/plain` payload, for values the server itself produces (search attribute listings). */
export function jsonPayload(value: unknown, type?: string): IPayload {
  const metadata: Record<string, Uint8Array> = { encoding: Buffer.from('json/plain') };
  if (type) metadata.type = Buffer.from(type);
  return { metadata, data: Buffer.from(JSON.stringify(value)) };
}
