import type { VaultCore } from './core';
import type { AuditMount } from './audit';
import type { Route } from './route';
import { approleRoute } from './routes-approle';
import { kubernetesRoute } from './routes-kubernetes';
import { kvRoute } from './routes-kv';
import { sysRoute } from './routes-sys';
import { tokenRoute } from './routes-token';
import { transitRoute } from './routes-transit';

/** The mount (from `mounts`) that serves `path`, longest match first. */
function mountFor(mounts: Readonly<Record<string, unknown>>, path: string): string | undefined {
  const withSlash = `${path}/`;
  return Object.keys(mounts)
    .filter((m) => withSlash.startsWith(m))
    .sort((a, b) => b.length - a.length)[0];
}

/** Finds the route for an API path (without `/v1/`), or undefined when nothing serves it. */
export function resolveRoute(core: VaultCore, path: string): Route | undefined {
  const state = core.state;
  if (path.startsWith('sys/')) return sysRoute(core, path.slice(4));
  if (path.startsWith('auth/')) {
    const authPath = path.slice(5);
    const kubernetes = kubernetesRoute(core, core.kubernetes, authPath);
    if (kubernetes) return kubernetes;
    const mount = mountFor(state.auths, authPath);
    if (!mount) return undefined;
    const rest = authPath.slice(mount.length);
    if (mount === 'token/') return tokenRoute(core, rest);
    const store = state.approle[mount];
    return store ? approleRoute(core, store, mount, rest) : undefined;
  }
  const mount = mountFor(state.mounts, path);
  if (!mount) return undefined;
  const rest = path.slice(mount.length);
  const kv = state.kv[mount];
  if (kv) return kvRoute(core, kv, rest);
  const transit = state.transit[mount];
  if (transit) return transitRoute(core, transit, rest);
  return undefined;
}

/** The mount that serves `path`, as the audit log names it; undefined when no mount does. */
export function auditMountOf(core: VaultCore, path: string): AuditMount | undefined {
  const state = core.state;
  if (path.startsWith('sys/')) {
    const sys = state.mounts['sys/'];
    return { mount_point: 'sys/', mount_type: 'system', mount_class: 'secret', mount_accessor: sys?.accessor ?? '' };
  }
  if (path.startsWith('auth/')) {
    const mount = mountFor(state.auths, path.slice(5));
    const entry = mount === undefined ? undefined : state.auths[mount];
    return mount === undefined || entry === undefined ? undefined : { mount_point: `auth/${mount}`, mount_type: entry.type, mount_class: 'auth', mount_accessor: entry.accessor };
  }
  const mount = mountFor(state.mounts, path);
  const entry = mount === undefined ? undefined : state.mounts[mount];
  return mount === undefined || entry === undefined ? undefined : { mount_point: mount, mount_type: entry.type, mount_class: 'secret', mount_accessor: entry.accessor };
}
