import { randomBytes } from 'node:crypto';
import { SIGNATURE_HEADER, verifyWebhook } from '../../integrations/webhook/signature';
import { startStub, type StubCall, type StubFaults, type StubReply, type StubRequest } from '../service-stub/server';

/*
 * A webhook receiver for the `http` action: verifies the signature (401 with the reason when it
 * is missing, malformed, stale or wrong), deduplicates by `Idempotency-Key` (a repeat gets the
 * first answer again with `Idempotent-Replayed: true` and is not delivered twice), and records
 * every call and every delivery. Any path is accepted.
 */

/** A delivery the receiver accepted (once per idempotency key). */
export interface WebhookDelivery {
  readonly idempotencyKey: string | undefined;
  readonly path: string;
  readonly body: unknown;
}

/** A running webhook receiver. */
export interface RunningWebhookSandbox {
  readonly name: 'webhook';
  /** Base URL; any path under it receives. */
  readonly address: string;
  /** The signing secret the receiver verifies with. */
  readonly secret: string;
  readonly connection: Readonly<Record<string, string>>;
  readonly faults: StubFaults;
  calls(): StubCall[];
  deliveries(): WebhookDelivery[];
  /** Status the receiver answers accepted deliveries with. @default 200 */
  respondWith(status: number): void;
  close(): Promise<void>;
}

/** Options of {@link start}. */
export interface WebhookSandboxOptions {
  host?: string;
  port?: number;
  secret?: string;
  /** Receiver clock in unix seconds (tests move it to prove the replay window). @default the system clock */
  nowSeconds?: () => number;
  toleranceSeconds?: number;
}

/** Starts the webhook receiver on a free port. */
export async function start(options: WebhookSandboxOptions = {}): Promise<RunningWebhookSandbox> {
  const secret = options.secret ?? randomBytes(24).toString('base64url');
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const seen = new Map<string, StubReply>();
  const deliveries: WebhookDelivery[] = [];
  let status = 200;

  const route = (req: StubRequest): StubReply => {
    const verdict = verifyWebhook(secret, req.rawBody, req.headers[SIGNATURE_HEADER], now(), options.toleranceSeconds);
    if (verdict !== 'ok') return { status: verdict === 'malformed' ? 400 : 401, body: { error: `signature ${verdict}` } };
    const key = req.headers['idempotency-key'];
    const earlier = key === undefined ? undefined : seen.get(key);
    if (earlier) return { ...earlier, headers: { ...earlier.headers, 'idempotent-replayed': 'true' } };
    const reply: StubReply = { status, body: { received: true, delivery: deliveries.length + 1 } };
    // Like Stripe, only a processed (2xx) answer is remembered; a failure may be retried.
    if (status >= 200 && status < 300) {
      deliveries.push({ idempotencyKey: key, path: req.path, body: req.body });
      if (key !== undefined) seen.set(key, reply);
    }
    return reply;
  };
  const stub = await startStub(route, options);
  return {
    name: 'webhook',
    address: stub.url,
    secret,
    connection: { address: stub.url, secret },
    faults: stub.faults,
    calls: stub.calls,
    deliveries: () => [...deliveries],
    respondWith: (s) => {
      status = s;
    },
    close: stub.close,
  };
}
