import { findKafkaError } from '../wire/error-codes';

/** Kafka's name for an error code (`UNACCEPTABLE_CREDENTIAL`), or `UNKNOWN_<code>`. */
export function adminErrorName(code: number): string {
  return findKafkaError(code)?.name ?? `UNKNOWN_${code}`;
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
    this.retriable = options?.retriable ?? findKafkaError(code)?.retriable ?? false;
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
