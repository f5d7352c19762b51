import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';

/** Slack error codes that mean "try again later" rather than "this request is wrong". */
const RETRIABLE_CODES: ReadonlySet<string> = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** Coarse class of a conversation failure, for callers that branch on it (never on text). */
export type ConversationErrorKind = 'auth' | 'not_found' | 'invalid' | 'rate_limited' | 'unavailable' | 'network' | 'platform';

/**
 * A failure of the conversation port. `retriable` says whether the same call may succeed later
 * (rate limit, 5xx, network) — activities turn it into a retryable or non-retryable failure.
 */
export class ConversationError extends Error {
  constructor(
    message: string,
    /** Slack's error code (`invalid_auth`, `channel_not_found`), or `http_<status>` / `network`. */
    readonly code: string,
    readonly kind: ConversationErrorKind,
    readonly retriable: boolean,
    /** The Web API method that failed. */
    readonly method: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ConversationError';
  }
}

const AUTH_CODES = new Set(['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope', 'not_allowed_token_type']);
const NOT_FOUND_CODES = new Set(['channel_not_found', 'user_not_found', 'message_not_found', 'not_found']);

/**
 * Translates whatever the WebClient threw into a {@link ConversationError}. `sawRateLimit` tells
 * whether Slack answered 429 during the call.
 */
export function toConversationError(method: string, err: unknown, sawRateLimit = false): ConversationError {
  if (err instanceof ConversationError) return err;
  if (err instanceof WebAPIPlatformError) {
    const code = err.data.error;
    const kind: ConversationErrorKind = AUTH_CODES.has(code)
      ? 'auth'
      : code === 'ratelimited' || code === 'rate_limited'
        ? 'rate_limited'
      : NOT_FOUND_CODES.has(code)
        ? 'not_found'
        : RETRIABLE_CODES.has(code)
          ? 'unavailable'
          : code.startsWith('invalid') || code === 'no_text'
            ? 'invalid'
            : 'platform';
    return new ConversationError(`${method} failed: ${code}`, code, kind, RETRIABLE_CODES.has(code), method, { cause: err });
  }
  if (err instanceof WebAPIRateLimitedError) {
    return new ConversationError(`${method} was rate limited`, 'ratelimited', 'rate_limited', true, method, { cause: err });
  }
  if (err instanceof WebAPIHTTPError) {
    const status = err.statusCode;
    const retriable = status === 429 || status >= 500;
    return new ConversationError(`${method} failed with HTTP ${status}`, `http_${status}`, status === 429 ? 'rate_limited' : 'unavailable', retriable, method, { cause: err });
  }
  // The SDK's own 429 wait ends in a plain Error, which it wraps as a request error once its
  // retries are spent; only the rate-limit event seen during the call tells the two apart.
  if (sawRateLimit && !(err instanceof WebAPIHTTPError)) {
    return new ConversationError(`${method} was rate limited`, 'ratelimited', 'rate_limited', true, method, { cause: err });
  }
  if (err instanceof WebAPIRequestError) {
    return new ConversationError(`${method} could not reach Slack: ${err.original.message}`, 'network', 'network', true, method, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ConversationError(`${method} failed: ${message}`, 'unknown', 'platform', false, method, { cause: err });
}
