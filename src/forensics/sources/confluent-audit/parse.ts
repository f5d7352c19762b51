/**
 * Confluent audit-log events (CloudEvents on `confluent-audit-log-events`): the authorization
 * decisions of Confluent Server's authorizer. Forensics keeps the consume authorizations —
 * `type: io.confluent.kafka.server/authorization`, `data.methodName` `kafka.FetchConsumer`
 * (Confluent Platform) or `kafka.Fetch` — on topics, granted. An event names the principal
 * (`data.authenticationInfo.principal`), the topic (`data.authorizationInfo.resourceName`, or the
 * `topic=` segment of `data.resourceName`, a CRN), the client (`data.request.client_id` /
 * `clientId`) and its address (`data.requestMetadata.client_address` / `clientAddress`), and the
 * time (`time`); never a partition or an offset.
 */

/** A granted consume authorization. */
export interface AuditedRead {
  id: string;
  principal: string;
  topic: string;
  /** Epoch ms. */
  time: number;
  clientId?: string;
  clientAddress?: string;
}

const FETCH_METHODS = new Set(['kafka.FetchConsumer', 'kafka.Fetch']);

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The topic a CRN names (`crn://…/kafka=lkc-1/topic=orders`). */
export function topicOfCrn(crn: string): string | undefined {
  const m = /\/topic=([^/]+)$/.exec(crn);
  return m === null ? undefined : decodeURIComponent(m[1] as string);
}

/** Parses one audit-log record value; undefined for anything but a granted consume authorization of a topic. */
export function parseAuditEvent(value: Buffer | string | null): AuditedRead | undefined {
  if (value === null) return undefined;
  let doc: Record<string, unknown> | undefined;
  try {
    doc = obj(JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as unknown);
  } catch {
    // Not an event: nothing to say.
    return undefined;
  }
  if (doc === undefined || doc.type !== 'io.confluent.kafka.server/authorization') return undefined;
  const data = obj(doc.data);
  if (data === undefined || !FETCH_METHODS.has(String(data.methodName))) return undefined;
  const authz = obj(data.authorizationInfo);
  if (authz?.granted !== true) return undefined;
  const resourceType = str(authz.resourceType);
  if (resourceType !== undefined && resourceType.toLowerCase() !== 'topic') return undefined;
  const principal = str(obj(data.authenticationInfo)?.principal);
  const topic = str(authz.resourceName) ?? topicOfCrn(str(data.resourceName) ?? str(doc.subject) ?? '');
  const time = Date.parse(str(doc.time) ?? '');
  if (principal === undefined || topic === undefined || Number.isNaN(time)) return undefined;
  const request = obj(data.request);
  const meta = obj(data.requestMetadata);
  const clientId = str(request?.client_id) ?? str(request?.clientId);
  const clientAddress = (str(meta?.client_address) ?? str(meta?.clientAddress))?.replace(/^\//, '');
  return {
    id: str(doc.id) ?? '',
    principal,
    topic,
    time,
    ...(clientId !== undefined ? { clientId } : {}),
    ...(clientAddress !== undefined ? { clientAddress } : {}),
  };
}
