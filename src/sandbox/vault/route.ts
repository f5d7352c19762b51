import { newUuid, type Body } from './values';
import type { TokenEntry } from './state';

/** Vault's logical operations; the ACL capability checked is derived from them. */
export type Operation = 'read' | 'list' | 'create' | 'update' | 'delete' | 'patch';

/** One request as the backends see it, after authentication. */
export interface VaultRequest {
  readonly operation: Operation;
  /** API path without `/v1/`, e.g. `secret/data/app/db`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Body;
  /** The caller's token; absent only on unauthenticated routes. */
  readonly token: TokenEntry | undefined;
  readonly remoteAddress: string;
}

/** A response: status plus JSON body (absent for 204). */
export interface Reply {
  readonly status: number;
  readonly body?: Readonly<Record<string, unknown>>;
}

/** A handler for one operation group on a route. */
export type Handler = (request: VaultRequest) => Reply;

/** What a backend says about a path: how to authorise it and how to serve each operation. */
export interface Route {
  /** Served without a token (health, seal status, unseal, AppRole login). */
  readonly unauthenticated?: boolean;
  /** Root-protected: the ACL must also grant `sudo`. */
  readonly sudo?: boolean;
  /** Existence check: when present, POST/PUT is `create` if false, `update` if true (else `update`). */
  readonly exists?: () => boolean;
  readonly read?: Handler;
  readonly list?: Handler;
  /** Serves both `create` and `update`. */
  readonly write?: Handler;
  readonly delete?: Handler;
  readonly patch?: Handler;
}

/** Extra envelope fields a handler may set. */
export interface EnvelopeExtras {
  auth?: Readonly<Record<string, unknown>> | null;
  leaseId?: string;
  leaseDuration?: number;
  renewable?: boolean;
  warnings?: string[] | null;
  mountType?: string;
}

/** 200 with Vault's standard envelope around `data`. */
export function ok(data: Readonly<Record<string, unknown>> | null, extras: EnvelopeExtras = {}): Reply {
  return {
    status: 200,
    body: {
      request_id: newUuid(),
      lease_id: extras.leaseId ?? '',
      renewable: extras.renewable ?? false,
      lease_duration: extras.leaseDuration ?? 0,
      data,
      wrap_info: null,
      warnings: extras.warnings ?? null,
      auth: extras.auth ?? null,
      mount_type: extras.mountType ?? '',
    },
  };
}

/** 204 No Content. */
export const noContent: Reply = { status: 204 };

/** 200 with a body that is not enveloped (sys/health, sys/seal-status and a few other sys paths). */
export function raw(body: Readonly<Record<string, unknown>>, status = 200): Reply {
  return { status, body };
}
