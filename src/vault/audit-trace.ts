/*
 * Tracing one Vault token through a file audit device's log (JSON lines, Vault's "audit log entry
 * schema"): what it and every token it created read. Pure: the caller feeds parsed lines in the
 * order Vault wrote them and gets the result; no I/O, so a shipped copy of the log (a Kafka topic,
 * object storage) can be fed the same way.
 *
 * The log never holds a token or an accessor in clear: the caller asks Vault for the device's HMAC
 * of the accessor (`sys/audit-hash/<device>`) and traces that. Children are found the way the log
 * shows them: a successful `auth/token/create*` response by a traced token carries the new
 * token's HMAC-ed accessor in `response.auth.accessor`, and every request the child makes carries
 * the same value in `auth.accessor`. Vault writes lines in order, so a child's creation is seen
 * before its first request and one pass suffices.
 */

/** The fields of an audit line this trace reads (everything else is ignored). */
export interface AuditLine {
  time?: unknown;
  type?: unknown;
  auth?: { accessor?: unknown } | null;
  request?: { id?: unknown; operation?: unknown; path?: unknown; mount_point?: unknown; mount_type?: unknown } | null;
  response?: { data?: unknown; auth?: { accessor?: unknown } | null } | null;
  error?: unknown;
}

/** A token created by a traced token. */
export interface TracedChild {
  /** The child's accessor as the log shows it (HMAC-ed unless the device has `hmac_accessor=false`). */
  accessorHash: string;
  parentHash: string;
  /** `auth/token/create`, `auth/token/create-orphan`, `auth/token/create/<role>`. */
  createdBy: string;
  /** An orphan outlives its parent's revocation: it must be revoked by its own accessor. */
  orphan: boolean;
  time: string;
}

/** A successful KV v2 read of a secret by a traced token. */
export interface TracedRead {
  /** The KV mount, with its trailing slash (`secret/`). */
  mountPoint: string;
  /** The secret's path below the mount (`kafka/service-accounts/payments-reconciler`). */
  path: string;
  accessorHash: string;
  time: string;
}

/** What {@link traceToken} found. */
export interface TokenTrace {
  /** The traced token and every descendant seen, as HMAC-ed accessors, the traced token first. */
  tokens: string[];
  children: TracedChild[];
  /** Every successful read, in log order (a secret read twice appears twice). */
  reads: TracedRead[];
  /** Lines that were not JSON objects (a truncated last line, noise): counted, never fatal. */
  skippedLines: number;
}

/** Options of {@link traceToken}. */
export interface TraceOptions {
  /** Reads before this instant are not reported (children are followed whatever their age). */
  since?: Date;
}

const CREATE_PATH = /^auth\/token\/create(-orphan)?(\/.+)?$/;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The secret a successful KV v2 `read` response returned, or undefined when it is not one. */
function kvRead(line: AuditLine): { mountPoint: string; path: string } | undefined {
  const req = line.request;
  if (!req || req.operation !== 'read' || req.mount_type !== 'kv') return undefined;
  const mount = str(req.mount_point);
  const path = str(req.path);
  if (mount === undefined || path === undefined || !path.startsWith(`${mount}data/`)) return undefined;
  // A KV v2 read answers `data: { data: {...}, metadata: {...} }`; a deleted or destroyed version
  // answers `data: null` inside, and nothing of the secret was disclosed.
  const data = line.response?.data;
  const secret = data !== null && typeof data === 'object' ? (data as { data?: unknown }).data : undefined;
  if (secret === null || typeof secret !== 'object') return undefined;
  const below = path.slice(`${mount}data/`.length);
  return below === '' ? undefined : { mountPoint: mount, path: below };
}

/**
 * Streams audit lines (parsed JSON, or raw strings) and returns what the token with HMAC-ed
 * accessor `accessorHash` and its descendants read. Only response lines without `error` count: a
 * refused read disclosed nothing.
 */
export function traceToken(lines: Iterable<AuditLine | string>, accessorHash: string, options: TraceOptions = {}): TokenTrace {
  const tracer = new TokenTracer(accessorHash, options);
  for (const line of lines) tracer.add(line);
  return tracer.result();
}

/** The incremental form of {@link traceToken}, for logs read chunk by chunk. */
export class TokenTracer {
  private readonly traced: string[];
  private readonly known: Set<string>;
  private readonly children: TracedChild[] = [];
  private readonly reads: TracedRead[] = [];
  private readonly sinceMs: number | undefined;
  private skipped = 0;

  constructor(accessorHash: string, options: TraceOptions = {}) {
    if (accessorHash === '') throw new TypeError('accessorHash: empty');
    this.traced = [accessorHash];
    this.known = new Set(this.traced);
    this.sinceMs = options.since?.getTime();
  }

  /** Adds one line (a JSON string or a parsed object). */
  add(raw: AuditLine | string): void {
    const line = typeof raw === 'string' ? parse(raw) : raw;
    if (line === undefined || line === null || typeof line !== 'object') {
      if (typeof raw !== 'string' || raw.trim() !== '') this.skipped++;
      return;
    }
    if (line.type !== 'response' || (line.error !== undefined && line.error !== '')) return;
    const who = str(line.auth?.accessor);
    if (who === undefined || !this.known.has(who)) return;
    const time = str(line.time) ?? '';
    const path = str(line.request?.path) ?? '';
    const created = CREATE_PATH.exec(path);
    const child = str(line.response?.auth?.accessor);
    if (created !== null && child !== undefined && !this.known.has(child)) {
      this.known.add(child);
      this.traced.push(child);
      this.children.push({ accessorHash: child, parentHash: who, createdBy: path, orphan: created[1] !== undefined, time });
      return;
    }
    const read = kvRead(line);
    if (read === undefined) return;
    if (this.sinceMs !== undefined && !(Date.parse(time) >= this.sinceMs)) return;
    this.reads.push({ ...read, accessorHash: who, time });
  }

  result(): TokenTrace {
    return { tokens: [...this.traced], children: this.children.map((c) => ({ ...c })), reads: this.reads.map((r) => ({ ...r })), skippedLines: this.skipped };
  }
}

function parse(text: string): AuditLine | undefined {
  if (text.trim() === '') return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as AuditLine) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the trace needs of a raw line, for a reader that must hold lines before tracing them (a
 * shipped log merged across partitions): the fields {@link TokenTracer} reads of a successful
 * response by a token, the secret's content reduced to whether there was one; `undefined` for a
 * line the trace ignores whatever came before it (a request, a failure, no token); a line that is
 * not a JSON object stays the text it was, so the tracer still counts it.
 */
export function traceableLine(raw: string): AuditLine | string | undefined {
  const line = parse(raw);
  if (line === undefined) return raw.trim() === '' ? undefined : raw;
  if (line.type !== 'response' || (line.error !== undefined && line.error !== '')) return undefined;
  const accessor = str(line.auth?.accessor);
  if (accessor === undefined) return undefined;
  const req = line.request ?? {};
  const data = line.response?.data;
  const secret = data !== null && typeof data === 'object' ? (data as { data?: unknown }).data : undefined;
  return {
    time: line.time,
    type: line.type,
    auth: { accessor },
    request: { operation: req.operation, path: req.path, mount_point: req.mount_point, mount_type: req.mount_type },
    response: {
      data: secret !== null && typeof secret === 'object' ? { data: {} } : null,
      auth: { accessor: line.response?.auth?.accessor },
    },
  };
}

/**
 * The account a KV path names under a template such as `kafka/service-accounts/{account}`, or
 * undefined when the path is not one of the template's.
 */
export function accountFromPath(path: string, template: string): string | undefined {
  const [before, after, extra] = template.split('{account}');
  if (before === undefined || after === undefined || extra !== undefined) throw new TypeError(`template: needs exactly one {account}: ${template}`);
  if (!path.startsWith(before) || !path.endsWith(after) || path.length <= before.length + after.length) return undefined;
  const account = path.slice(before.length, path.length - after.length);
  return /^[A-Za-z0-9._-]+$/.test(account) ? account : undefined;
}
