import { timingSafeEqual } from 'node:crypto';
import type { VaultCore } from './core';
import { badRequest, permissionDenied } from './errors';
import { ok, type Reply, type Route, type VaultRequest } from './route';
import { reqString } from './values';

/**
 * The Kubernetes auth method's login (`auth/kubernetes/login`). Real Vault sends the
 * service-account JWT to the Kubernetes TokenReview API and checks the service account against the
 * role's bound names; the sandbox has no cluster, so each role lists the JWTs it accepts (the ones
 * a test or a drill mounted as the pod's token). The token it issues follows the role's TTLs and
 * is renewable, like Vault's.
 */
export interface KubernetesAuthConfig {
  /** Mount path without slashes. @default 'kubernetes' */
  mount?: string;
  roles: Record<string, KubernetesRole>;
}

/** One Kubernetes auth role. */
export interface KubernetesRole {
  /** Service-account JWTs this role accepts. */
  jwts: readonly string[];
  /** Policies of the issued token (`default` is always added). */
  policies: readonly string[];
  /** `token_ttl` in seconds. @default the system maximum */
  ttl?: number;
  /** `token_max_ttl` in seconds. @default none */
  maxTtl?: number;
  /** Service-account name reported in the token metadata. @default 'default' */
  serviceAccount?: string;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function login(core: VaultCore, config: KubernetesAuthConfig, mount: string, req: VaultRequest): Reply {
  const roleName = reqString(req.body, 'role');
  const jwt = reqString(req.body, 'jwt');
  const role = Object.hasOwn(config.roles, roleName) ? config.roles[roleName] : undefined;
  if (!role) throw badRequest(`invalid role name "${roleName}"`);
  // Vault answers a JWT the TokenReview rejects with 403 permission denied.
  if (!role.jwts.some((j) => sameSecret(j, jwt))) throw permissionDenied();
  const metadata = { role: roleName, service_account_name: role.serviceAccount ?? 'default', service_account_namespace: 'default' };
  const token = core.createToken({
    policies: ['default', ...role.policies],
    orphan: true,
    displayName: `${mount}-${metadata.service_account_name}`,
    meta: metadata,
    ttl: role.ttl ?? 0,
    explicitMaxTtl: role.maxTtl ?? 0,
    renewable: true,
    numUses: 0,
    path: `auth/${mount}/login`,
  });
  return ok(null, { auth: core.authBlock(token, metadata) });
}

/** The login route for `auth/<mount>/login`, or undefined for any other path. */
export function kubernetesRoute(core: VaultCore, config: KubernetesAuthConfig | undefined, authPath: string): Route | undefined {
  if (!config) return undefined;
  const mount = config.mount ?? 'kubernetes';
  if (authPath !== `${mount}/login`) return undefined;
  return { unauthenticated: true, write: (req) => login(core, config, mount, req) };
}
