import type { VaultCore } from './core';
import { badRequest, invalidToken, VaultApiError } from './errors';
import { noContent, ok, type Reply, type Route, type VaultRequest } from './route';
import type { TokenEntry } from './state';
import { optBool, optDuration, optInt, optString, optStringList, optStringMap, reqString } from './values';

/** `display_name` as Vault stores it: prefixed with the auth path, lower-case, dashes for punctuation. */
function displayName(raw: string | undefined): string {
  const cleaned = (raw ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned ? `token-${cleaned}` : 'token';
}

function caller(req: VaultRequest): TokenEntry {
  if (!req.token) throw invalidToken();
  return req.token;
}

function create(core: VaultCore, req: VaultRequest, forceOrphan: boolean): Reply {
  const parent = caller(req);
  const body = req.body;
  const parentAcl = core.aclFor(parent);
  const parentIsRoot = parent.policies.includes('root');
  const noParent = forceOrphan || optBool(body, 'no_parent') === true;
  if (optBool(body, 'no_parent') === true && !forceOrphan && !parentAcl.allows(req.path, 'update', true)) {
    throw badRequest('root or sudo privileges required to create orphan token');
  }
  const id = optString(body, 'id');
  if (id !== undefined && !parentAcl.allows(req.path, 'update', true)) throw badRequest('root or sudo privileges required to specify token id');
  const noDefault = optBool(body, 'no_default_policy') === true;
  const requested = optStringList(body, 'policies') ?? parent.policies.filter((p) => p !== 'default');
  if (!parentIsRoot) {
    const outside = requested.filter((p) => p !== 'default' && !parent.policies.includes(p));
    if (outside.length > 0) throw badRequest(`child policies must be subset of parent`);
  }
  const policies = requested.includes('root') || noDefault ? requested : [...requested, 'default'];
  if (policies.length === 0) throw badRequest('token must have at least one policy');
  const token = core.createToken({
    policies,
    parent,
    orphan: noParent,
    displayName: displayName(optString(body, 'display_name')),
    meta: optStringMap(body, 'meta') ?? null,
    ttl: optDuration(body, 'ttl') ?? optDuration(body, 'period') ?? 0,
    explicitMaxTtl: optDuration(body, 'explicit_max_ttl') ?? 0,
    renewable: optBool(body, 'renewable') ?? true,
    numUses: optInt(body, 'num_uses') ?? 0,
    path: forceOrphan ? 'auth/token/create-orphan' : 'auth/token/create',
    ...(id === undefined ? {} : { id }),
  });
  return ok(null, { auth: core.authBlock(token) });
}

function byAccessor(core: VaultCore, req: VaultRequest): TokenEntry {
  const accessor = reqString(req.body, 'accessor');
  const token = core.tokenByAccessor(accessor);
  if (!token) throw badRequest('invalid accessor');
  return token;
}

function renew(core: VaultCore, token: TokenEntry, req: VaultRequest): Reply {
  core.renewToken(token, optDuration(req.body, 'increment'));
  return ok(null, { auth: core.authBlock(token) });
}

/** Routes of the token auth method (`auth/token/...`). */
export function tokenRoute(core: VaultCore, rest: string): Route | undefined {
  switch (rest) {
    case 'create':
      return { write: (req) => create(core, req, false) };
    case 'create-orphan':
      return { write: (req) => create(core, req, true) };
    case 'lookup':
      return {
        write: (req) => {
          const token = core.token(reqString(req.body, 'token'));
          if (!token) throw new VaultApiError(403, ['bad token']);
          return ok(core.lookupData(token, true));
        },
      };
    case 'lookup-self': {
      const self = (req: VaultRequest): Reply => ok(core.lookupData(caller(req), true));
      return { read: self, write: self };
    }
    case 'lookup-accessor':
      return { write: (req) => ok(core.lookupData(byAccessor(core, req), false)) };
    case 'accessors':
      return {
        sudo: true,
        list: () => {
          core.sweepExpired();
          return ok({ keys: Object.values(core.state.tokens).map((t) => t.accessor) });
        },
      };
    case 'revoke':
      return {
        write: (req) => {
          core.revokeTree(reqString(req.body, 'token'));
          return noContent;
        },
      };
    case 'revoke-self':
      return {
        write: (req) => {
          core.revokeTree(caller(req).id);
          return noContent;
        },
      };
    case 'revoke-accessor':
      return {
        write: (req) => {
          // Idempotent since Vault 1.10: an unknown accessor is not an error.
          const token = core.tokenByAccessor(reqString(req.body, 'accessor'));
          if (token) core.revokeTree(token.id);
          return noContent;
        },
      };
    case 'revoke-orphan':
      return {
        sudo: true,
        write: (req) => {
          const id = reqString(req.body, 'token');
          delete core.state.tokens[id];
          for (const t of Object.values(core.state.tokens)) {
            if (t.parent === id) {
              delete t.parent;
              t.orphan = true;
            }
          }
          return noContent;
        },
      };
    case 'renew':
      return {
        write: (req) => {
          const token = core.token(reqString(req.body, 'token'));
          if (!token) throw badRequest('invalid token');
          return renew(core, token, req);
        },
      };
    case 'renew-self':
      return { write: (req) => renew(core, caller(req), req) };
    case 'renew-accessor':
      return { write: (req) => renew(core, byAccessor(core, req), req) };
    default:
      return undefined;
  }
}
