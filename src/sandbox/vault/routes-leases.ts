import type { VaultCore } from './core';
import { badRequest, notFound } from './errors';
import { noContent, ok, type Reply, type Route, type VaultRequest } from './route';
import type { TokenEntry } from './state';
import { optDuration, reqString } from './values';

/*
 * `sys/leases/...`. The only leased objects the sandbox issues are service tokens (KV v2 and
 * transit hand out no leases, as in Vault), each under `<creation path>/h<sha256 of the token>`,
 * so `revoke-prefix auth/approle/login` revokes every AppRole login, as operators do in Vault.
 */

function leaseId(req: VaultRequest, fromPath: string): string {
  return fromPath || reqString(req.body, 'lease_id');
}

function mustLease(core: VaultCore, id: string): TokenEntry {
  const token = core.tokenByLease(id);
  if (!token) throw badRequest('invalid lease');
  return token;
}

function lookup(core: VaultCore, id: string): Reply {
  const t = mustLease(core, id);
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  return ok({ id, issue_time: iso(t.createdAt), expire_time: iso(t.expireAt), last_renewal: iso(t.lastRenewal), renewable: t.renewable, ttl: core.remainingTtl(t) });
}

function revokePrefix(core: VaultCore, prefix: string): Reply {
  if (prefix === '') throw badRequest('prefix is required');
  core.sweepExpired();
  for (const t of Object.values(core.state.tokens)) if (t.leaseId?.startsWith(prefix)) core.revokeTree(t.id);
  return noContent;
}

/** Routes under `sys/leases/` (and the pre-1.0 `sys/renew`, `sys/revoke`, `sys/revoke-prefix` aliases). */
export function leaseRoute(core: VaultCore, rest: string): Route | undefined {
  const [head = '', ...tail] = rest.split('/');
  const sub = tail.join('/');
  switch (head) {
    case 'lookup':
      return {
        write: (req) => lookup(core, leaseId(req, '')),
        // LIST sys/leases/lookup/<prefix> names the next path segment of every live lease.
        sudo: sub !== '',
        list: () => {
          core.sweepExpired();
          const prefix = sub === '' || sub.endsWith('/') ? sub : `${sub}/`;
          const keys = new Set<string>();
          for (const t of Object.values(core.state.tokens)) {
            if (!t.leaseId?.startsWith(prefix)) continue;
            const restOfId = t.leaseId.slice(prefix.length);
            const slash = restOfId.indexOf('/');
            keys.add(slash < 0 ? restOfId : restOfId.slice(0, slash + 1));
          }
          if (keys.size === 0) throw notFound();
          return ok({ keys: [...keys].sort() });
        },
      };
    case 'renew':
      return {
        write: (req) => {
          const id = leaseId(req, sub);
          const t = mustLease(core, id);
          core.renewToken(t, optDuration(req.body, 'increment'));
          return ok(null, { leaseId: id, renewable: t.renewable, leaseDuration: core.grantedTtl(t) });
        },
      };
    case 'revoke':
      return {
        write: (req) => {
          const t = core.tokenByLease(leaseId(req, sub));
          if (t) core.revokeTree(t.id);
          return noContent;
        },
      };
    case 'revoke-prefix':
      return { sudo: true, write: () => revokePrefix(core, sub) };
    default:
      return undefined;
  }
}
