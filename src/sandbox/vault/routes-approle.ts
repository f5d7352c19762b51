import type { VaultCore } from './core';
import { badRequest, multiError, notFound, VaultApiError } from './errors';
import { noContent, ok, type Reply, type Route, type VaultRequest } from './route';
import type { AppRole, AppRoleStore, SecretIdEntry } from './state';
import { dict, newUuid, optBool, optDuration, optInt, optStringList, reqString, type Body } from './values';

/*
 * The AppRole auth method (`auth/<mount>/...`): roles, role ids, secret ids (by value and by
 * accessor) and login. Status codes for missing entries follow Vault: a lookup by secret id answers
 * 204, a lookup by accessor 404, and a destroy by unknown accessor a plain (500) error.
 */

const iso = (ms: number | undefined): string => (ms === undefined ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString());

function roleData(role: AppRole): Record<string, unknown> {
  return {
    bind_secret_id: role.bindSecretId,
    local_secret_ids: false,
    policies: role.tokenPolicies,
    secret_id_bound_cidrs: null,
    secret_id_num_uses: role.secretIdNumUses,
    secret_id_ttl: role.secretIdTtl,
    token_bound_cidrs: [],
    token_explicit_max_ttl: 0,
    token_max_ttl: role.tokenMaxTtl,
    token_no_default_policy: false,
    token_num_uses: role.tokenNumUses,
    token_period: 0,
    token_policies: role.tokenPolicies,
    token_ttl: role.tokenTtl,
    token_type: 'default',
  };
}

function secretIdData(entry: SecretIdEntry, core: VaultCore): Record<string, unknown> {
  return {
    cidr_list: entry.cidrList,
    creation_time: iso(entry.createdAt),
    expiration_time: iso(entry.expireAt),
    last_updated_time: iso(entry.createdAt),
    metadata: entry.metadata,
    secret_id_accessor: entry.accessor,
    secret_id_num_uses: entry.numUses,
    secret_id_ttl: entry.expireAt === undefined ? 0 : Math.max(0, Math.floor((entry.expireAt - core.clock.now()) / 1000)),
    token_bound_cidrs: [],
  };
}

function parseMetadata(body: Body): Record<string, string> {
  const raw = body.metadata;
  if (raw === undefined || raw === null || raw === '') return {};
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw badRequest('failed to parse metadata: expected a JSON object of strings');
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw badRequest('failed to parse metadata: expected a JSON object of strings');
  }
  return value as Record<string, string>;
}

function sweepSecretIds(core: VaultCore, role: AppRole): void {
  const now = core.clock.now();
  for (const [accessor, entry] of Object.entries(role.secretIds)) if (entry.expireAt !== undefined && entry.expireAt <= now) delete role.secretIds[accessor];
}

function issueSecretId(core: VaultCore, role: AppRole, req: VaultRequest, secretId: string): Reply {
  const ttl = optDuration(req.body, 'ttl') ?? role.secretIdTtl;
  const numUses = optInt(req.body, 'num_uses') ?? role.secretIdNumUses;
  const now = core.clock.now();
  const entry: SecretIdEntry = {
    secretId,
    accessor: newUuid(),
    createdAt: now,
    ...(ttl > 0 ? { expireAt: now + ttl * 1000 } : {}),
    numUses,
    metadata: parseMetadata(req.body),
    cidrList: optStringList(req.body, 'cidr_list') ?? [],
  };
  role.secretIds[entry.accessor] = entry;
  return ok({ secret_id: entry.secretId, secret_id_accessor: entry.accessor, secret_id_ttl: ttl, secret_id_num_uses: numUses });
}

function login(core: VaultCore, store: AppRoleStore, mount: string, req: VaultRequest): Reply {
  const roleId = reqString(req.body, 'role_id');
  const role = Object.values(store.roles).find((r) => r.roleId === roleId);
  if (!role) throw badRequest('invalid role or secret ID');
  if (role.bindSecretId) {
    sweepSecretIds(core, role);
    const secretId = typeof req.body.secret_id === 'string' ? req.body.secret_id : '';
    const entry = Object.values(role.secretIds).find((e) => e.secretId === secretId);
    if (!entry) throw badRequest('invalid role or secret ID');
    if (entry.numUses > 0) {
      entry.numUses -= 1;
      if (entry.numUses === 0) delete role.secretIds[entry.accessor];
    }
  }
  const metadata = { role_name: role.name };
  const token = core.createToken({
    policies: ['default', ...role.tokenPolicies],
    orphan: true,
    displayName: `${mount.replace(/\/$/, '')}`,
    meta: metadata,
    ttl: role.tokenTtl,
    explicitMaxTtl: role.tokenMaxTtl,
    renewable: true,
    numUses: role.tokenNumUses,
    path: `auth/${mount}login`,
  });
  return ok(null, { auth: core.authBlock(token, metadata) });
}

function roleRoutes(core: VaultCore, store: AppRoleStore, name: string, sub: string): Route | undefined {
  const role = (): AppRole => {
    const r = store.roles[name];
    if (!r) throw badRequest(`role "${name}" does not exist`);
    return r;
  };
  switch (sub) {
    case '':
      return {
        exists: () => store.roles[name] !== undefined,
        read: () => {
          const r = store.roles[name];
          if (!r) throw notFound();
          return ok(roleData(r));
        },
        write: (req) => {
          const prior = store.roles[name];
          const b = req.body;
          store.roles[name] = {
            name,
            roleId: prior?.roleId ?? newUuid(),
            bindSecretId: optBool(b, 'bind_secret_id') ?? prior?.bindSecretId ?? true,
            tokenPolicies: optStringList(b, 'token_policies') ?? optStringList(b, 'policies') ?? prior?.tokenPolicies ?? [],
            tokenTtl: optDuration(b, 'token_ttl') ?? prior?.tokenTtl ?? 0,
            tokenMaxTtl: optDuration(b, 'token_max_ttl') ?? prior?.tokenMaxTtl ?? 0,
            tokenNumUses: optInt(b, 'token_num_uses') ?? prior?.tokenNumUses ?? 0,
            secretIdTtl: optDuration(b, 'secret_id_ttl') ?? prior?.secretIdTtl ?? 0,
            secretIdNumUses: optInt(b, 'secret_id_num_uses') ?? prior?.secretIdNumUses ?? 0,
            secretIds: prior?.secretIds ?? dict(),
          };
          return noContent;
        },
        delete: () => {
          delete store.roles[name];
          return noContent;
        },
      };
    case 'role-id':
      return {
        read: () => ok({ role_id: role().roleId }),
        write: (req) => {
          role().roleId = reqString(req.body, 'role_id');
          return noContent;
        },
      };
    case 'secret-id':
      return {
        write: (req) => issueSecretId(core, role(), req, newUuid()),
        list: () => {
          const r = role();
          sweepSecretIds(core, r);
          const keys = Object.keys(r.secretIds);
          if (keys.length === 0) throw notFound();
          return ok({ keys });
        },
      };
    case 'custom-secret-id':
      return { write: (req) => issueSecretId(core, role(), req, reqString(req.body, 'secret_id')) };
    case 'secret-id/lookup':
      return {
        write: (req) => {
          const r = role();
          sweepSecretIds(core, r);
          const secretId = reqString(req.body, 'secret_id');
          const entry = Object.values(r.secretIds).find((e) => e.secretId === secretId);
          return entry ? ok(secretIdData(entry, core)) : noContent;
        },
      };
    case 'secret-id/destroy': {
      const destroy = (req: VaultRequest): Reply => {
        const r = role();
        const secretId = reqString(req.body, 'secret_id');
        for (const [accessor, e] of Object.entries(r.secretIds)) if (e.secretId === secretId) delete r.secretIds[accessor];
        return noContent;
      };
      return { write: destroy, delete: destroy };
    }
    case 'secret-id-accessor/lookup':
      return {
        write: (req) => {
          const r = role();
          sweepSecretIds(core, r);
          const accessor = reqString(req.body, 'secret_id_accessor');
          const entry = r.secretIds[accessor];
          if (!entry) throw new VaultApiError(404, [`failed to find accessor entry for secret_id_accessor: "${accessor}"`]);
          return ok(secretIdData(entry, core));
        },
      };
    case 'secret-id-accessor/destroy': {
      const destroy = (req: VaultRequest): Reply => {
        const r = role();
        sweepSecretIds(core, r);
        const accessor = reqString(req.body, 'secret_id_accessor');
        if (!r.secretIds[accessor]) throw new VaultApiError(500, [multiError(`failed to find accessor entry for secret_id_accessor: "${accessor}"`)]);
        delete r.secretIds[accessor];
        return noContent;
      };
      return { write: destroy, delete: destroy };
    }
    default:
      return undefined;
  }
}

/** Routes of an AppRole auth mount; `mount` is e.g. `approle/` and `rest` the path after it. */
export function approleRoute(core: VaultCore, store: AppRoleStore, mount: string, rest: string): Route | undefined {
  if (rest === 'login') return { unauthenticated: true, write: (req) => login(core, store, mount, req) };
  if (rest === 'role' || rest === 'role/') {
    return {
      list: () => {
        const keys = Object.keys(store.roles).sort();
        if (keys.length === 0) throw notFound();
        return ok({ keys });
      },
    };
  }
  const m = /^role\/([^/]+)(?:\/(.+))?$/.exec(rest);
  if (!m || m[1] === undefined) return undefined;
  return roleRoutes(core, store, m[1].toLowerCase(), m[2] ?? '');
}
