import type { KafkaReader, KafkaWriter } from '../../../kafka/wire';
import type { KafkaBroker } from '../broker';
import type { Session } from '../server/session';

/** Writes a response body. */
export type Reply = (w: KafkaWriter) => void;

/** Everything a handler knows about the request it serves. */
export interface RequestContext {
  readonly broker: KafkaBroker;
  readonly session: Session;
  readonly apiKey: number;
  readonly apiName: string;
  readonly version: number;
  readonly clientId: string;
  /** The request header's correlation id (the request log records it). */
  readonly correlationId?: number;
  /**
   * When set, authorization decisions of this request are not recorded. Fetch and OffsetCommit
   * set it for requests that touch only the access-log topic: recording them would append to the
   * very topic being read and wake its consumer forever.
   */
  quiet: boolean;
  /**
   * Asks the authorizer and writes an access record. Returns true when allowed.
   * Every handler calls this for every resource it touches, on every request.
   */
  authorize(operation: number, resourceType: number, resourceName: string): boolean;
}

/**
 * One API: decode the body for a version, act, and return a writer for the response body (null
 * = send nothing, as for acks=0). `fail` answers the request with an error code in every error
 * field without acting — the fault hook "fail the next N requests" uses it.
 */
export interface ApiHandler<Req = unknown> {
  decode(r: KafkaReader, version: number): Req;
  handle(ctx: RequestContext, req: Req): Reply | null | Promise<Reply | null>;
  fail(ctx: RequestContext, req: Req, code: number): Reply;
}

/** Keeps a handler's request type while storing it in a table of handlers. */
export function defineHandler<Req>(h: ApiHandler<Req>): ApiHandler<unknown> {
  return h as ApiHandler<unknown>;
}

/** Picks the codec of a version from a `{ [version]: codec }` table. */
export function codecFor<C>(table: Readonly<Record<number, C>>, version: number): C {
  const c = table[version];
  if (!c) throw new Error(`no codec for version ${version}`);
  return c;
}
