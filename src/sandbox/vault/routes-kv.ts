import type { VaultCore } from './core';
import { badRequest, notFound, VaultApiError } from './errors';
import { noContent, ok, type Reply, type Route, type VaultRequest } from './route';
import type { KvSecret, KvStore, KvVersion } from './state';
import { dict, optBool, parseDuration, optDuration, optInt, optIntList, optString, optStringMap } from './values';

/*
 * KV version 2 (`<mount>/data|metadata|delete|undelete|destroy/<path>` and `<mount>/config`).
 * Messages for check-and-set failures are Vault's own, because clients (and our adapter) classify
 * those 400s by them.
 */

/** Vault's default number of versions kept per secret. */
const DEFAULT_MAX_VERSIONS = 10;

/** Vault's message for a stale or wrong `options.cas`. */
export const CAS_MISMATCH = 'check-and-set parameter did not match the current version';
/** Vault's message when cas_required is set and no `options.cas` was sent. */
export const CAS_REQUIRED = 'check-and-set parameter required for this call';

const iso = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toISOString());

function versionMeta(v: KvVersion, n: number, secret: KvSecret): Record<string, unknown> {
  return { created_time: iso(v.createdAt), custom_metadata: secret.customMetadata, deletion_time: iso(v.deletedAt), destroyed: v.destroyed, version: n };
}

function liveData(v: KvVersion, now: number): boolean {
  return !v.destroyed && (v.deletedAt === undefined || v.deletedAt > now);
}

function trimVersions(store: KvStore, secret: KvSecret): void {
  const max = secret.maxVersions || store.maxVersions || DEFAULT_MAX_VERSIONS;
  const keepFrom = secret.currentVersion - max + 1;
  for (const key of Object.keys(secret.versions)) if (Number(key) < keepFrom) delete secret.versions[key];
  const remaining = Object.keys(secret.versions).map(Number);
  secret.oldestVersion = remaining.length > 0 ? Math.min(...remaining) : 0;
}

function newSecret(now: number): KvSecret {
  return { versions: dict(), currentVersion: 0, oldestVersion: 0, createdAt: now, updatedAt: now, maxVersions: 0, casRequired: false, deleteVersionAfter: '0s', customMetadata: null };
}

function versionsArg(req: VaultRequest): number[] {
  const versions = optIntList(req.body, 'versions');
  if (!versions || versions.length === 0) throw badRequest('no version number provided');
  return versions;
}

function dataRoute(core: VaultCore, store: KvStore, key: string): Route {
  const now = (): number => core.clock.now();
  const read = (req: VaultRequest): Reply => {
    const secret = store.secrets[key];
    if (!secret) throw notFound();
    const wanted = req.query.get('version');
    const n = wanted && wanted !== '0' ? Number(wanted) : secret.currentVersion;
    if (!Number.isInteger(n)) throw badRequest('invalid version');
    const v = secret.versions[String(n)];
    if (!v) throw notFound();
    const metadata = versionMeta(v, n, secret);
    if (!liveData(v, now())) {
      // Vault answers 404 but still tells the client the version was deleted or destroyed.
      throw new VaultApiError(404, [], ok({ data: null, metadata }).body);
    }
    return ok({ data: v.data, metadata });
  };
  const write = (req: VaultRequest): Reply => {
    const data = req.body.data;
    if (data === undefined || data === null) throw badRequest('no data provided');
    if (typeof data !== 'object' || Array.isArray(data)) throw badRequest('data must be a JSON object');
    const options = req.body.options;
    const cas = options && typeof options === 'object' && !Array.isArray(options) ? optInt(options as Record<string, unknown>, 'cas') : undefined;
    const secret = store.secrets[key] ?? newSecret(now());
    if (cas === undefined && (secret.casRequired || store.casRequired)) throw badRequest(CAS_REQUIRED);
    if (cas !== undefined && cas !== secret.currentVersion) throw badRequest(CAS_MISMATCH);
    const version = secret.currentVersion + 1;
    const entry: KvVersion = { data: data as Record<string, unknown>, createdAt: now(), destroyed: false };
    // delete_version_after schedules the soft delete at write time, as Vault records it.
    const ttl = parseDuration(secret.deleteVersionAfter !== '0s' ? secret.deleteVersionAfter : store.deleteVersionAfter, 'delete_version_after');
    if (ttl > 0) entry.deletedAt = entry.createdAt + ttl * 1000;
    secret.versions[String(version)] = entry;
    secret.currentVersion = version;
    secret.updatedAt = entry.createdAt;
    store.secrets[key] = secret;
    trimVersions(store, secret);
    return ok(versionMeta(entry, version, secret));
  };
  return {
    exists: () => store.secrets[key] !== undefined,
    read,
    write,
    patch: (req) => {
      const secret = store.secrets[key];
      const current = secret?.versions[String(secret.currentVersion)];
      if (!secret || !current || !liveData(current, now())) throw notFound();
      const patch = req.body.data;
      if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('no data provided');
      const merged: Record<string, unknown> = { ...(current.data ?? {}) };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      return write({ ...req, body: { data: merged, options: req.body.options ?? {} } });
    },
    delete: () => {
      const secret = store.secrets[key];
      const v = secret?.versions[String(secret.currentVersion)];
      if (v && liveData(v, now())) v.deletedAt = now();
      return noContent;
    },
  };
}

function metadataRoute(core: VaultCore, store: KvStore, key: string): Route {
  return {
    exists: () => store.secrets[key] !== undefined,
    read: () => {
      const secret = store.secrets[key];
      if (!secret) throw notFound();
      const versions = Object.fromEntries(
        Object.entries(secret.versions).map(([n, v]) => [n, { created_time: iso(v.createdAt), deletion_time: iso(v.deletedAt), destroyed: v.destroyed }]),
      );
      return ok({
        cas_required: secret.casRequired,
        created_time: iso(secret.createdAt),
        current_version: secret.currentVersion,
        custom_metadata: secret.customMetadata,
        delete_version_after: secret.deleteVersionAfter,
        max_versions: secret.maxVersions,
        oldest_version: secret.oldestVersion,
        updated_time: iso(secret.updatedAt),
        versions,
      });
    },
    list: () => {
      const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
      const keys = new Set<string>();
      for (const name of Object.keys(store.secrets)) {
        if (!name.startsWith(prefix)) continue;
        const rest = name.slice(prefix.length);
        const slash = rest.indexOf('/');
        keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
      }
      if (keys.size === 0) throw notFound();
      return ok({ keys: [...keys].sort() });
    },
    write: (req) => {
      const secret = store.secrets[key] ?? newSecret(core.clock.now());
      const maxVersions = optInt(req.body, 'max_versions');
      if (maxVersions !== undefined) secret.maxVersions = maxVersions;
      const casRequired = optBool(req.body, 'cas_required');
      if (casRequired !== undefined) secret.casRequired = casRequired;
      const dva = optString(req.body, 'delete_version_after');
      if (dva !== undefined) secret.deleteVersionAfter = `${optDuration(req.body, 'delete_version_after') ?? 0}s`;
      const custom = optStringMap(req.body, 'custom_metadata');
      if (custom !== undefined) secret.customMetadata = custom;
      secret.updatedAt = core.clock.now();
      store.secrets[key] = secret;
      trimVersions(store, secret);
      return noContent;
    },
    delete: () => {
      delete store.secrets[key];
      return noContent;
    },
  };
}

function versionsRoute(core: VaultCore, store: KvStore, key: string, action: 'delete' | 'undelete' | 'destroy'): Route {
  return {
    write: (req) => {
      const versions = versionsArg(req);
      const secret = store.secrets[key];
      if (!secret) return noContent;
      for (const n of versions) {
        const v = secret.versions[String(n)];
        if (!v) continue;
        if (action === 'delete' && liveData(v, core.clock.now())) v.deletedAt = core.clock.now();
        if (action === 'undelete' && !v.destroyed) delete v.deletedAt;
        if (action === 'destroy') {
          v.destroyed = true;
          v.data = null;
        }
      }
      return noContent;
    },
  };
}

function configRoute(store: KvStore): Route {
  return {
    read: () => ok({ cas_required: store.casRequired, delete_version_after: store.deleteVersionAfter, max_versions: store.maxVersions }),
    write: (req) => {
      const maxVersions = optInt(req.body, 'max_versions');
      if (maxVersions !== undefined) store.maxVersions = maxVersions;
      const casRequired = optBool(req.body, 'cas_required');
      if (casRequired !== undefined) store.casRequired = casRequired;
      const dva = optDuration(req.body, 'delete_version_after');
      if (dva !== undefined) store.deleteVersionAfter = `${dva}s`;
      return noContent;
    },
  };
}

/** Routes of a KV v2 mount; `rest` is the path after the mount. */
export function kvRoute(core: VaultCore, store: KvStore, rest: string): Route | undefined {
  if (rest === 'config') return configRoute(store);
  const slash = rest.indexOf('/');
  const head = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  switch (head) {
    case 'data':
      return key === '' ? undefined : dataRoute(core, store, key);
    case 'metadata':
      return metadataRoute(core, store, key);
    case 'delete':
    case 'undelete':
    case 'destroy':
      return key === '' ? undefined : versionsRoute(core, store, key, head);
    default:
      return undefined;
  }
}
