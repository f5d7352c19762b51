import { randomBytes } from 'node:crypto';
import { AuditLog, type AuditEntry } from './audit';
import { badRequest } from './errors';
import type { AuditDeviceEntry, VaultState } from './state';
import { dict } from './values';

/*
 * The audit broker: the sandbox's built-in log (always on, in memory and in `<dataDir>/audit.log`,
 * so tests can look at every request) plus the devices an operator enabled with `sys/audit/<path>`,
 * each with its own salt, as in Vault. Every entry is built once per device, because the HMACs in
 * it depend on the device's salt.
 */

/** Builds one entry with the HMACs of the device it is for. */
export type EntryBuilder = (log: AuditLog) => AuditEntry;

export class AuditBroker {
  private readonly devices = new Map<string, AuditLog>();

  constructor(
    readonly builtin: AuditLog,
    private readonly state: VaultState,
    /** The built-in log as a device (the sandbox started with an audit file): its path and file. */
    private readonly builtinDevice?: { path: string; filePath: string },
  ) {
    for (const [path, entry] of Object.entries(state.auditDevices ?? {})) this.devices.set(path, deviceLog(entry));
  }

  /** Records an entry on the built-in log and on every enabled device. */
  record(build: EntryBuilder): void {
    this.builtin.record(build(this.builtin));
    for (const log of this.devices.values()) log.record(build(log));
  }

  /** An enabled device by path (`file` or `file/`). */
  device(path: string): AuditLog | undefined {
    const key = normalise(path);
    return key === this.builtinDevice?.path ? this.builtin : this.devices.get(key);
  }

  /** Enabled devices as `sys/audit` lists them. */
  list(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    const b = this.builtinDevice;
    if (b !== undefined) out[b.path] = { type: 'file', description: 'configured at start', options: { file_path: b.filePath }, local: false, path: b.path };
    for (const [path, d] of Object.entries(this.state.auditDevices ?? {})) {
      out[path] = { type: d.type, description: d.description, options: d.options, local: d.local, path };
    }
    return out;
  }

  /** `PUT sys/audit/<path>`: a new file device with a fresh salt. */
  enable(path: string, type: string, options: Record<string, string>, description: string, local: boolean): void {
    const key = normalise(path);
    if (this.state.auditDevices?.[key] !== undefined || key === this.builtinDevice?.path) throw badRequest(`path already in use`);
    if (type !== 'file') throw badRequest(`unknown backend type: "${type}" (the sandbox serves file audit devices only)`);
    const filePath = options.file_path ?? options.path;
    if (filePath === undefined || filePath === '') throw badRequest('file_path is required');
    const entry: AuditDeviceEntry = { type: 'file', description, options: { ...options, file_path: filePath }, salt: randomBytes(32).toString('base64'), local };
    this.state.auditDevices ??= dict();
    this.state.auditDevices[key] = entry;
    this.devices.set(key, deviceLog(entry));
  }

  /** `DELETE sys/audit/<path>`; disabling what is not there succeeds, as in Vault. */
  disable(path: string): void {
    const key = normalise(path);
    if (key === this.builtinDevice?.path) throw badRequest('the audit device the sandbox was started with cannot be disabled');
    if (this.state.auditDevices) delete this.state.auditDevices[key];
    this.devices.delete(key);
  }
}

function normalise(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') throw badRequest('missing audit device path');
  return `${trimmed}/`;
}

function deviceLog(entry: AuditDeviceEntry): AuditLog {
  const file = entry.options.file_path;
  // `discard` and `stdout` are Vault's special file paths: nothing written to a file here.
  const target = file === undefined || file === 'discard' || file === 'stdout' ? undefined : file;
  return new AuditLog(Buffer.from(entry.salt, 'base64'), { ...(target !== undefined ? { file: target } : {}), hmacAccessor: entry.options.hmac_accessor !== 'false' });
}
