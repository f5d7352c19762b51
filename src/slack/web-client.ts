import { WebClient, type RetryOptions, type WebClientOptions } from '@slack/web-api';
import type { Logger } from '../log/logger';
import { toSlackLogger } from './bolt-logger';

/**
 * Retries for Web API calls: five attempts over roughly half a minute. A 429 waits its
 * `Retry-After` first (the client pauses its whole queue), then this backoff applies; 5xx and
 * network failures get the backoff alone. Long enough to ride out a burst limit, short enough
 * that an activity's own retry policy stays in charge of longer outages.
 */
export const DEFAULT_RETRY: RetryOptions = { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 10_000, randomize: true };

/** Options shared by every WebClient breachline creates. */
export interface SlackClientOptions {
  /** Web API base URL. @default 'https://slack.com/api/' */
  apiUrl?: string;
  logger: Logger;
  /** @default {@link DEFAULT_RETRY} */
  retryConfig?: RetryOptions;
  /** Per-request timeout in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Secrets to scrub from SDK log lines besides tokens (the signing secret). */
  secrets?: readonly string[];
}

/**
 * The WebClient options breachline uses: its base URL, our logger, retries with the SDK's own
 * 429 handling (`rejectRateLimitedCalls: false`), and no absolute-URL method names, so a token can
 * never be sent anywhere but the configured API.
 */
export function webClientOptions(options: SlackClientOptions): WebClientOptions {
  return {
    slackApiUrl: options.apiUrl ?? 'https://slack.com/api/',
    logger: toSlackLogger(options.logger, options.secrets ?? []),
    retryConfig: options.retryConfig ?? DEFAULT_RETRY,
    rejectRateLimitedCalls: false,
    timeout: options.timeoutMs ?? 10_000,
    allowAbsoluteUrls: false,
  };
}

/** A WebClient for the bot token with {@link webClientOptions}. */
export function createWebClient(botToken: string, options: SlackClientOptions): WebClient {
  return new WebClient(botToken, webClientOptions(options));
}
