import { createHmac } from 'node:crypto';
import { appendPrivateFileSync } from '../../security/private-file';

/*
 * The audit device. Like Vault's file device (docs: "Audit log entry schema"), every request and
 * every response is one JSON line, and every string value that could be secret (tokens, accessors,
 * request and response data) is replaced by `hmac-sha256:<hex>` keyed with the device's salt. An
 * operator who knows a value finds it with `sys/audit-hash/<device>` (see `hash`); the log never
 * holds it in clear. Like Vault, a response line carries the logical response (its `data` and, for
 * logins and token creation, its `auth` block), the mount that served it, and no HTTP status: a
 * failure is told by the top-level `error`, which is omitted for successful requests.
 */

/** The identity part of an audit entry (`auth`, and `response.auth` of a login or token creation). */
export interface AuditAuth {
  client_token?: string;
  accessor?: string;
  display_name: string;
  policies: string[];
  token_policies: string[];
  metadata?: Record<string, string>;
  entity_id: string;
  token_type: 'service';
  token_ttl: number;
  token_issue_time: string;
}

/** The mount that served a request, as Vault logs it on the request and the response. */
export interface AuditMount {
  mount_point: string;
  mount_type: string;
  mount_class: 'secret' | 'auth';
  mount_accessor: string;
}

/** One line of the audit log. */
export interface AuditEntry {
  time: string;
  type: 'request' | 'response';
  /** Absent for unauthenticated requests. */
  auth?: AuditAuth;
  request: {
    id: string;
    operation: string;
    path: string;
    namespace: { id: 'root' };
    client_token?: string;
    client_token_accessor?: string;
    data?: unknown;
    remote_address: string;
  } & Partial<AuditMount>;
  /** Response lines only. */
  response?: Partial<AuditMount> & { data?: unknown; auth?: AuditAuth };
  /** Absent for successful requests. */
  error?: string;
}

/** Options of one audit device. */
export interface AuditLogOptions {
  /** JSON-lines file the entries are appended to; absent keeps them in memory only. */
  file?: string;
  /** HMAC token accessors (`hmac_accessor`, Vault's default true); false logs them in clear. */
  hmacAccessor?: boolean;
  /** Entries kept in memory (bounded, so a long-running sandbox does not grow without limit). @default 10000 */
  maxEntries?: number;
}

/** One audit device: its salt, its in-memory entries and optionally its file. */
export class AuditLog {
  private readonly entries: AuditEntry[] = [];
  private readonly file: string | undefined;
  private readonly maxEntries: number;
  readonly hmacAccessor: boolean;

  constructor(
    private readonly salt: Buffer,
    options: AuditLogOptions | string | undefined = {},
  ) {
    const o = typeof options === 'string' || options === undefined ? { ...(options === undefined ? {} : { file: options }) } : options;
    this.file = o.file;
    this.maxEntries = o.maxEntries ?? 10_000;
    this.hmacAccessor = o.hmacAccessor ?? true;
  }

  /** `hmac-sha256:<hex>` of a value, as the log shows it (empty strings stay empty). */
  hash(value: string): string {
    if (value === '') return '';
    return `hmac-sha256:${createHmac('sha256', this.salt).update(value).digest('hex')}`;
  }

  /** An accessor as this device logs it: HMAC-ed unless the device has `hmac_accessor=false`. */
  accessor(value: string): string {
    return this.hmacAccessor ? this.hash(value) : value;
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
