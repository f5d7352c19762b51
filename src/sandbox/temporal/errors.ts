import { status } from '@grpc/grpc-js';

export { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * An error the sandbox Temporal server answers with a gRPC status, as the real frontend would
 * (NOT_FOUND for an unknown run or task token, ALREADY_EXISTS for a duplicate start,
 * INVALID_ARGUMENT for a malformed request). Anything else thrown by a handler becomes INTERNAL.
 */
export class TemporalServiceError extends Error {
  constructor(
    readonly code: status,
    message: string,
    /** A typed error detail (`google.protobuf.Any`) sent in `grpc-status-details-bin`, which clients map to typed errors. */
    readonly detail?: { typeName: string; value: Uint8Array },
  ) {
    super(message);
    this.name = 'TemporalServiceError';
  }
}

/** Shorthands for the statuses handlers raise most. */
export const serviceErrors = {
  notFound: (message: string) => new TemporalServiceError(status.NOT_FOUND, message),
  invalidArgument: (message: string) => new TemporalServiceError(status.INVALID_ARGUMENT, message),
  alreadyExists: (message: string) => new TemporalServiceError(status.ALREADY_EXISTS, message),
  failedPrecondition: (message: string) => new TemporalServiceError(status.FAILED_PRECONDITION, message),
  unavailable: (message: string) => new TemporalServiceError(status.UNAVAILABLE, message),
};
