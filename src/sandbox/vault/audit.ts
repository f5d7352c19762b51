import { createHmac } from 'node:crypto';
import { appendPrivateFileSync } from '../../security/private-file';

/*
 * The audit device. Like Vault's file device, every request and every response is logged, and
 * every string value that could be secret (tokens, accessors, request and response data) is
 * replaced by `hmac-sha256:<hex>` keyed with the server's audit salt. An operator who knows a value
 * can find it with sys/audit-hash semantics (see `hash`), but the log never holds it in clear.
 */

/** The identity part of an audit entry. */
export interface AuditAuth {
  client_token: string;
  accessor: string;
  display_name: string;
  policies: string[];
  metadata: Record<string, string> | null;
}

/** One line of the audit log. */
export interface AuditEntry {
  time: string;
  type: 'request' | 'response';
  auth: AuditAuth | null;
  request: {
    id: string;
    operation: string;
    path: string;
    client_token: string;
    client_token_accessor: string;
    data: unknown;
    remote_address: string;
  };
  response?: { status: number; data: unknown };
  error: string;
}

/**
 * Keeps the most recent audit entries in memory (bounded, so a long-running sandbox does not grow
 * without limit) and optionally appends every entry as a JSON line to a file.
 */
export class AuditLog {
  private readonly entries: AuditEntry[] = [];

  constructor(
    private readonly salt: Buffer,
    private readonly file: string | undefined,
    private readonly maxEntries = 10_000,
  ) {}

  /** `hmac-sha256:<hex>` of a value, as the log shows it (empty strings stay empty). */
  hash(value: string): string {
    if (value === '') return '';
    return `hmac-sha256:${createHmac('sha256', this.salt).update(value).digest('hex')}`;
  }

  /** Replaces every string leaf of `value` by its HMAC; numbers, booleans and keys stay readable. */
  redact(value: unknown): unknown {
    if (typeof value === 'string') return this.hash(value);
    if (Array.isArray(value)) return value.map((v) => this.redact(v));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redact(v)]));
    return value;
  }

  record(entry: AuditEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.maxEntries) this.entries.splice(0, this.entries.length - this.maxEntries);
    if (this.file) {
      try {
        appendPrivateFileSync(this.file, `${JSON.stringify(entry)}\n`);
      } catch {
        // An unwritable audit file must not take the server down; the in-memory log still has it.
      }
    }
  }

  /** A copy of every entry so far, oldest first. */
  all(): AuditEntry[] {
    return this.entries.map((e) => structuredClone(e));
  }

  /** Forgets the in-memory entries (the file is left alone). */
  clear(): void {
    this.entries.length = 0;
  }
}
