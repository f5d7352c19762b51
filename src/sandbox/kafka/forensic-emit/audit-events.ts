import { randomUUID } from 'node:crypto';

/**
 * Confluent audit-log events (CloudEvents, Confluent Platform's shape) for the consume
 * authorizations the sandbox grants: `io.confluent.kafka.server/authorization`, method
 * `kafka.FetchConsumer`, with principal, topic CRN, client id and address.
 */

/** What one event records. */
export interface AuditFetch {
  time: number;
  clusterId: string;
  principal: string;
  topic: string;
  clientId: string;
  clientAddress: string;
  correlationId: number;
}

/** The CloudEvent as JSON. */
export function auditEvent(e: AuditFetch): string {
  const service = `crn:///kafka=${e.clusterId}`;
  const resource = `${service}/topic=${e.topic}`;
  return JSON.stringify({
    confluentRouting: { route: 'confluent-audit-log-events' },
    data: {
      authenticationInfo: { principal: e.principal },
      authorizationInfo: { granted: true, operation: 'Read', patternType: 'LITERAL', resourceName: e.topic, resourceType: 'Topic', superUserAuthorization: false },
      methodName: 'kafka.FetchConsumer',
      request: { client_id: e.clientId, correlation_id: String(e.correlationId) },
      requestMetadata: { client_address: `/${e.clientAddress}` },
      resourceName: resource,
      serviceName: service,
    },
    datacontenttype: 'application/json',
    id: randomUUID(),
    source: service,
    specversion: '0.3',
    subject: resource,
    time: new Date(e.time).toISOString(),
    type: 'io.confluent.kafka.server/authorization',
  });
}
