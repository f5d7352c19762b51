import { mountEntry, type VaultCore } from './core';
import { badRequest, notFound } from './errors';
import { parsePolicy } from './policy';
import { noContent, ok, raw, type Reply, type Route, type VaultRequest } from './route';
import type { MountEntry, TokenEntry } from './state';
import { dict, optString, optStringList, reqString } from './values';
import { leaseRoute } from './routes-leases';

/*
 * `sys/...`: health, seal, mounts, auth methods, ACL policies and capabilities. Leases live in
 * routes-leases.ts. Mount tables answer in Vault's doubled shape (entries at the top level and
 * again under `data`).
 */

const RESERVED_MOUNTS = new Set(['sys/', 'auth/', 'cubbyhole/', 'identity/']);

function normaliseMount(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') throw badRequest('missing path');
  return `${trimmed}/`;
}

function mountView(m: MountEntry): Record<string, unknown> {
  return {
    type: m.type,
    description: m.description,
    accessor: m.accessor,
    uuid: m.uuid,
    config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
    options: Object.keys(m.options).length > 0 ? m.options : null,
    local: m.local,
    seal_wrap: m.sealWrap,
    external_entropy_access: false,
    plugin_version: '',
    running_plugin_version: `v1.17.0+builtin.${m.type}`,
  };
}

function table(entries: Record<string, MountEntry>): Reply {
  const data = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, mountView(v)]));
  const envelope = ok(data);
  return { status: 200, body: { ...data, ...envelope.body } };
}

function health(core: VaultCore, req: VaultRequest): Reply {
  const code = (name: string, fallback: number): number => {
    const v = req.query.get(name);
    const n = v === null ? NaN : Number(v);
    return Number.isInteger(n) && n >= 100 && n < 600 ? n : fallback;
  };
  const body = {
    initialized: true,
    sealed: core.sealed,
    standby: false,
    performance_standby: false,
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'disabled',
    server_time_utc: Math.floor(core.clock.now() / 1000),
    version: '1.17.0+sandbox',
    enterprise: false,
    ...(core.sealed ? {} : { cluster_name: core.state.clusterName, cluster_id: core.state.clusterId }),
  };
  return raw(body, core.sealed ? code('sealedcode', 503) : code('activecode', 200));
}

function mountsRoute(core: VaultCore, rest: string): Route {
  if (rest === '') return { read: () => table(core.state.mounts) };
  const path = normaliseMount(rest);
  return {
    exists: () => core.state.mounts[path] !== undefined,
    read: () => {
      const m = core.state.mounts[path];
      if (!m) throw badRequest(`No secret engine mount at ${path}`);
      return ok(mountView(m));
    },
    write: (req) => {
      if (RESERVED_MOUNTS.has(path)) throw badRequest(`cannot mount at reserved path "${path}"`);
      if (Object.keys(core.state.mounts).some((m) => m.startsWith(path) || path.startsWith(m))) throw badRequest(`path is already in use at ${path}`);
      const type = reqString(req.body, 'type');
      const options = req.body.options && typeof req.body.options === 'object' ? (req.body.options as Record<string, unknown>) : {};
      const description = optString(req.body, 'description') ?? '';
      if (type === 'kv' || type === 'kv-v2') {
        if (type === 'kv' && String(options.version ?? '1') !== '2') throw badRequest('the sandbox serves KV version 2 only; pass options.version = "2"');
        core.state.mounts[path] = mountEntry('kv', description, { version: '2' });
        core.state.kv[path] = { maxVersions: 0, casRequired: false, deleteVersionAfter: '0s', secrets: dict() };
      } else if (type === 'transit') {
        core.state.mounts[path] = mountEntry('transit', description);
        core.state.transit[path] = { keys: dict() };
      } else {
        throw badRequest(`plugin not found in the catalog: ${type}`);
      }
      return noContent;
    },
    delete: () => {
      if (RESERVED_MOUNTS.has(path)) throw badRequest(`cannot unmount "${path}"`);
      delete core.state.mounts[path];
      delete core.state.kv[path];
      delete core.state.transit[path];
      return noContent;
    },
  };
}

function authRoute(core: VaultCore, rest: string): Route {
  if (rest === '') return { read: () => table(core.state.auths) };
  const path = normaliseMount(rest);
  return {
    exists: () => core.state.auths[path] !== undefined,
    write: (req) => {
      if (core.state.auths[path]) throw badRequest(`path is already in use at auth/${path}`);
      const type = reqString(req.body, 'type');
      if (type !== 'approle') throw badRequest(`plugin not found in the catalog: ${type}`);
      core.state.auths[path] = mountEntry('approle', optString(req.body, 'description') ?? '');
      core.state.approle[path] = { roles: dict() };
      return noContent;
    },
    delete: () => {
      if (path === 'token/') throw badRequest('token credential backend cannot be disabled');
      delete core.state.auths[path];
      delete core.state.approle[path];
      // Tokens issued by a removed auth method are revoked with it, as in Vault.
      for (const t of Object.values(core.state.tokens)) if (t.path.startsWith(`auth/${path}`)) core.revokeTree(t.id);
      return noContent;
    },
  };
}

function policyRoute(core: VaultCore, rest: string, legacy: boolean): Route {
  const names = (): string[] => ['root', ...Object.keys(core.state.policies)].sort();
  if (rest === '') {
    return legacy ? { read: () => ok({ keys: names(), policies: names() }) } : { list: () => ok({ keys: names() }) };
  }
  const name = rest.toLowerCase();
  return {
    exists: () => name === 'root' || core.state.policies[name] !== undefined,
    read: () => {
      const text = name === 'root' ? '' : core.state.policies[name];
      if (text === undefined) throw notFound();
      return ok(legacy ? { name, rules: text } : { name, policy: text });
    },
    write: (req) => {
      if (name === 'root') throw badRequest('cannot update "root" policy');
      const text = optString(req.body, 'policy') ?? optString(req.body, 'rules');
      if (text === undefined || text.trim() === '') throw badRequest("'policy' parameter not supplied or empty");
      parsePolicy(name, text);
      core.state.policies[name] = text;
      return noContent;
    },
    delete: () => {
      if (name === 'root' || name === 'default') throw badRequest(`cannot delete "${name}" policy`);
      delete core.state.policies[name];
      return noContent;
    },
  };
}

function capabilities(core: VaultCore, token: TokenEntry | undefined, req: VaultRequest): Reply {
  if (!token) throw badRequest('invalid token');
  const paths = optStringList(req.body, 'paths') ?? optStringList(req.body, 'path') ?? [];
  if (paths.length === 0) throw badRequest("'paths' must be specified");
  const acl = core.aclFor(token);
  const data: Record<string, unknown> = {};
  for (const p of paths) data[p.replace(/^\/+/, '')] = acl.capabilities(p.replace(/^\/+/, ''));
  if (paths.length === 1) data.capabilities = Object.values(data)[0];
  const envelope = ok(data);
  return { status: 200, body: { ...data, ...envelope.body } };
}

/** Vault's double shape for sys tables: entries at the top level and again under `data`. */
function doubled(data: Record<string, unknown>): Reply {
  const envelope = ok(data);
  return { status: 200, body: { ...data, ...envelope.body } };
}

/**
 * `sys/audit` (list, sudo), `sys/audit/<path>` (enable a file device, disable; sudo) and
 * `sys/audit-hash/<path>` (the device's HMAC of `input`, to find a known value in its log).
 */
function auditRoute(core: VaultCore, head: 'audit' | 'audit-hash', sub: string): Route | undefined {
  const broker = core.audit;
  if (broker === undefined) return undefined;
  if (head === 'audit-hash') {
    if (sub === '') return undefined;
    return {
      write: (req) => {
        const device = broker.device(sub);
        if (device === undefined) throw badRequest(`unknown audit backend ${sub}`);
        return doubled({ hash: device.hash(reqString(req.body, 'input')) });
      },
    };
  }
  if (sub === '') return { sudo: true, read: () => doubled(broker.list()) };
  return {
    sudo: true,
    write: (req) => {
      const raw = req.body.options && typeof req.body.options === 'object' ? (req.body.options as Record<string, unknown>) : {};
      const options = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
      broker.enable(sub, reqString(req.body, 'type'), options, optString(req.body, 'description') ?? '', req.body.local === true);
      return noContent;
    },
    delete: () => {
      broker.disable(sub);
      return noContent;
    },
  };
}

/** Routes under `sys/`; `rest` is the path after `sys/`. */
export function sysRoute(core: VaultCore, rest: string): Route | undefined {
  const [head = '', ...tail] = rest.split('/');
  const sub = tail.join('/');
  switch (head) {
    case 'health':
      return sub ? undefined : { unauthenticated: true, read: (req) => health(core, req) };
    case 'seal-status':
      return sub ? undefined : { unauthenticated: true, read: () => raw(core.sealStatus()) };
    case 'init':
      return sub ? undefined : { unauthenticated: true, read: () => raw({ initialized: true }) };
    case 'unseal':
      return sub
        ? undefined
        : {
            unauthenticated: true,
            write: (req) => {
              if (req.body.reset === true) core.resetUnseal();
              else core.submitUnsealKey(reqString(req.body, 'key'));
              return raw(core.sealStatus());
            },
          };
    case 'seal':
      return sub
        ? undefined
        : {
            sudo: true,
            write: () => {
              core.seal();
              return noContent;
            },
          };
    case 'mounts':
      return mountsRoute(core, sub);
    case 'auth':
      return authRoute(core, sub);
    case 'policy':
      return policyRoute(core, sub, true);
    case 'policies':
      return tail[0] === 'acl' ? policyRoute(core, tail.slice(1).join('/'), false) : undefined;
    case 'capabilities-self':
      return sub ? undefined : { write: (req) => capabilities(core, req.token, req) };
    case 'capabilities':
      return sub ? undefined : { write: (req) => capabilities(core, core.token(reqString(req.body, 'token')), req) };
    case 'capabilities-accessor':
      return sub ? undefined : { write: (req) => capabilities(core, core.tokenByAccessor(reqString(req.body, 'accessor')), req) };
    case 'leases':
      return leaseRoute(core, sub);
    case 'audit':
    case 'audit-hash':
      return auditRoute(core, head, sub);
    case 'renew':
      return leaseRoute(core, sub ? `renew/${sub}` : 'renew');
    case 'revoke':
      return leaseRoute(core, sub ? `revoke/${sub}` : 'revoke');
    case 'revoke-prefix':
      return leaseRoute(core, `revoke-prefix/${sub}`);
    default:
      return undefined;
  }
}
