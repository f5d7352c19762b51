/**
 * The broker error codes the SCRAM admin client can meet, with Kafka's names and retriability
 * (`org.apache.kafka.common.protocol.Errors`). Codes outside the table keep their number and are
 * treated as not retriable.
 */
const ADMIN_ERRORS: ReadonlyArray<{ code: number; name: string; retriable: boolean }> = [
  { code: -1, name: 'UNKNOWN_SERVER_ERROR', retriable: false },
  { code: 7, name: 'REQUEST_TIMED_OUT', retriable: true },
  { code: 13, name: 'NETWORK_EXCEPTION', retriable: true },
  { code: 14, name: 'COORDINATOR_LOAD_IN_PROGRESS', retriable: true },
  { code: 15, name: 'COORDINATOR_NOT_AVAILABLE', retriable: true },
  { code: 31, name: 'CLUSTER_AUTHORIZATION_FAILED', retriable: false },
  { code: 33, name: 'UNSUPPORTED_SASL_MECHANISM', retriable: false },
  { code: 34, name: 'ILLEGAL_SASL_STATE', retriable: false },
  { code: 35, name: 'UNSUPPORTED_VERSION', retriable: false },
  { code: 41, name: 'NOT_CONTROLLER', retriable: true },
  { code: 42, name: 'INVALID_REQUEST', retriable: false },
  { code: 58, name: 'SASL_AUTHENTICATION_FAILED', retriable: false },
  { code: 91, name: 'RESOURCE_NOT_FOUND', retriable: false },
  { code: 92, name: 'DUPLICATE_RESOURCE', retriable: false },
  { code: 93, name: 'UNACCEPTABLE_CREDENTIAL', retriable: false },
];

const BY_CODE = new Map(ADMIN_ERRORS.map((e) => [e.code, e]));

/** Kafka's name for an error code (`UNACCEPTABLE_CREDENTIAL`), or `UNKNOWN_<code>`. */
export function adminErrorName(code: number): string {
  return BY_CODE.get(code)?.name ?? `UNKNOWN_${code}`;
}

/** A broker answered with an error, or the connection to it failed. */
export class KafkaAdminError extends Error {
  override readonly name = 'KafkaAdminError';
  /** Kafka's name for {@link code}, e.g. `SASL_AUTHENTICATION_FAILED`. */
  readonly type: string;
  /** Whether trying again (on a fresh connection) can succeed. */
  readonly retriable: boolean;

  constructor(
    message: string,
    /** Kafka error code; 13 NETWORK_EXCEPTION and 7 REQUEST_TIMED_OUT for transport failures. */
    readonly code: number,
    options?: { cause?: unknown; retriable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.type = adminErrorName(code);
    this.retriable = options?.retriable ?? BY_CODE.get(code)?.retriable ?? false;
  }
}

/** Well-known codes used by the client itself. */
export const AdminErrorCode = {
  NONE: 0,
  REQUEST_TIMED_OUT: 7,
  NETWORK_EXCEPTION: 13,
  UNSUPPORTED_SASL_MECHANISM: 33,
  UNSUPPORTED_VERSION: 35,
  SASL_AUTHENTICATION_FAILED: 58,
} as const;
