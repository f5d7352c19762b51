import { timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Type, Writer } from 'protobufjs';
import type { Logger } from '../../log/logger';
import { TemporalServiceError } from './errors';
import type { FaultInjector } from './faults';
import { installFastGzip } from './gzip';
import { EncodedHistory, protoRoot } from './proto';

/** What a handler knows about its call. */
export interface CallContext {
  /** True once the client cancelled the call (e.g. a worker shutting down its polls). */
  isCancelled(): boolean;
  /** Milliseconds left before the client's deadline (70 s when none was set). */
  remainingMs(): number;
}

/** A unary RPC handler: the decoded request in, a plain response object out. */
export type RpcHandler = (request: never, ctx: CallContext) => unknown;

/** One gRPC service served from the Temporal proto root, by method name. */
export interface ServiceImpl {
  /** Fully qualified service name, e.g. `temporal.api.workflowservice.v1.WorkflowService`. */
  service: string;
  handlers: Record<string, RpcHandler>;
}

const STATUS_TYPE = protoRoot.lookupType('google.rpc.Status');

/** Tag of `History.events` (field 1, length-delimited). */
const HISTORY_EVENTS_TAG = (1 << 3) | 2;

/**
 * Encodes a response. Top-level fields holding an {@link EncodedHistory} are appended from their
 * pre-encoded events (protobuf lets a message's fields come in any order), and so are message
 * fields one level down that hold one (the workflow task a completion's response carries); the
 * rest goes through protobufjs as usual.
 */
export function serializeResponse(type: Type, message: object): Buffer {
  let encoded: Array<[number, EncodedHistory | Buffer]> | undefined;
  let rest: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(message)) {
    const nested = !(value instanceof EncodedHistory) && holdsEncodedHistory(value);
    if (!(value instanceof EncodedHistory) && !nested) continue;
    const field = type.fields[key];
    if (!field) throw new Error(`${type.name} has no field ${key}`);
    if (nested) {
      field.resolve();
      (encoded ??= []).push([field.id, serializeResponse(field.resolvedType as Type, value as object)]);
    } else {
      (encoded ??= []).push([field.id, value]);
    }
    rest ??= { ...(message as Record<string, unknown>) };
    delete rest[key];
  }
  if (!encoded) return Buffer.from(type.encode(type.fromObject(message)).finish());
  const writer: Writer = type.encode(type.fromObject(rest!));
  for (const [id, value] of encoded) {
    if (!(value instanceof EncodedHistory)) {
      writer.uint32((id << 3) | 2).bytes(value);
      continue;
    }
    writer.uint32((id << 3) | 2).fork();
    for (const event of value.events) writer.uint32(HISTORY_EVENTS_TAG).bytes(event);
    writer.ldelim();
  }
  return Buffer.from(writer.finish());
}

/** A plain message object with an {@link EncodedHistory} among its own fields. */
function holdsEncodedHistory(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) return false;
  return Object.values(value).some((v) => v instanceof EncodedHistory);
}

function toServiceError(err: unknown, logger: Logger, method: string): Partial<grpc.ServiceError> {
  if (err instanceof TemporalServiceError) {
    const metadata = new grpc.Metadata();
    if (err.detail) {
      const status = STATUS_TYPE.encode(STATUS_TYPE.fromObject({
        code: err.code,
        message: err.message,
        details: [{ type_url: `type.googleapis.com/${err.detail.typeName}`, value: err.detail.value }],
      })).finish();
      metadata.set('grpc-status-details-bin', Buffer.from(status));
    }
    return { code: err.code, details: err.message, metadata };
  }
  logger.error({ err, method }, 'temporal sandbox handler failed');
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

/**
 * Who may call: with API keys configured, every call must carry `authorization: Bearer <key>`
 * (Temporal Cloud's API-key authentication); a missing or unknown key is UNAUTHENTICATED.
 */
export interface CallGuard {
  apiKeys?: readonly string[];
}

function unauthenticated(guard: CallGuard, metadata: grpc.Metadata): Partial<grpc.ServiceError> | undefined {
  if (!guard.apiKeys || guard.apiKeys.length === 0) return undefined;
  const header = metadata.get('authorization')[0];
  const presented = typeof header === 'string' && /^Bearer /i.test(header) ? Buffer.from(header.slice(7).trim()) : undefined;
  const known = presented !== undefined && guard.apiKeys.some((k) => {
    const want = Buffer.from(k);
    return want.length === presented.length && timingSafeEqual(want, presented);
  });
  if (known) return undefined;
  return { code: grpc.status.UNAUTHENTICATED, details: presented === undefined ? 'Request unauthorized: no API key (authorization: Bearer <key>)' : 'Request unauthorized: invalid API key' };
}

function serviceDefinition(impl: ServiceImpl, faults: FaultInjector, logger: Logger, guard: CallGuard): { definition: grpc.ServiceDefinition; handlers: grpc.UntypedServiceImplementation } {
  const service = protoRoot.lookupService(impl.service);
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of Object.values(service.methods)) {
    method.resolve();
    const reqType = method.resolvedRequestType as Type;
    const resType = method.resolvedResponseType as Type;
    definition[method.name] = {
      path: `/${impl.service}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (m: object) => Buffer.from(reqType.encode(reqType.fromObject(m)).finish()),
      requestDeserialize: (b: Buffer) => reqType.decode(b),
      responseSerialize: (m: object) => serializeResponse(resType, m),
      responseDeserialize: (b: Buffer) => resType.decode(b),
    };
    const handler = impl.handlers[method.name];
    handlers[method.name] = (call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
      const refused = unauthenticated(guard, call.metadata);
      if (refused) {
        callback(refused);
        return;
      }
      if (!handler) {
        callback({ code: grpc.status.UNIMPLEMENTED, details: `${method.name} is not implemented by the sandbox server` });
        return;
      }
      let cancelled = false;
      call.on('cancelled', () => (cancelled = true));
      const ctx: CallContext = {
        isCancelled: () => cancelled || call.cancelled,
        remainingMs: () => {
          const deadline = call.getDeadline();
          const at = deadline instanceof Date ? deadline.getTime() : Number(deadline);
          return Number.isFinite(at) && at > 0 ? at - Date.now() : 70_000;
        },
      };
      const run = async (): Promise<unknown> => {
        await faults.before(method.name);
        return handler(call.request as never, ctx);
      };
      run().then(
        (res) => callback(null, (res ?? {}) as object),
        (err: unknown) => callback(toServiceError(err, logger, method.name)),
      );
    };
  }
  return { definition: definition as grpc.ServiceDefinition, handlers };
}

/**
 * Builds a grpc-js server for the given services (not yet bound). Requests above
 * `maxReceiveBytes` are refused with RESOURCE_EXHAUSTED, as by a real frontend (4 MiB, grpc-go's
 * default); responses may be larger (a long history), as the real server sends them.
 */
export function createGrpcServer(impls: readonly ServiceImpl[], faults: FaultInjector, logger: Logger, opts: { maxReceiveBytes?: number; guard?: CallGuard } = {}): grpc.Server {
  if (!installFastGzip()) logger.debug('grpc-js changed shape: requests are inflated by its own zlib streams');
  // Channelz (grpc-js's per-call introspection counters) is off: nothing reads it here, and it is
  // a fixed cost on every call.
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxReceiveBytes ?? 4 * 1024 * 1024,
    'grpc.max_send_message_length': 128 * 1024 * 1024,
    'grpc.enable_channelz': 0,
  });
  for (const impl of impls) {
    const { definition, handlers } = serviceDefinition(impl, faults, logger, opts.guard ?? {});
    server.addService(definition, handlers);
  }
  return server;
}

/**
 * TLS for the frontend: PEM key and certificate; with `ca` and `requireClientCert`, clients must
 * present a certificate signed by `ca` (mTLS, as Temporal Cloud namespaces require).
 */
export interface GrpcTls {
  key: string | Buffer;
  cert: string | Buffer;
  ca?: string | Buffer;
  requireClientCert?: boolean;
}

/** Binds `host:port` (0 picks a free port), plaintext or with `tls`, and resolves with the bound port. */
export function bind(server: grpc.Server, host: string, port: number, tls?: GrpcTls): Promise<number> {
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(
        tls.ca !== undefined ? Buffer.from(tls.ca) : null,
        [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }],
        tls.requireClientCert === true,
      )
    : grpc.ServerCredentials.createInsecure();
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
  });
}
