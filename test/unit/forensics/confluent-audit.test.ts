import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuditEvent, topicOfCrn } from '../../../src/forensics/sources/confluent-audit/parse';

/*
 * Confluent audit-log CloudEvents in the shapes Confluent Platform (specversion 0.3, snake_case
 * request fields, `/`-prefixed client address) and Confluent Cloud (specversion 1.0, `kafka.Fetch`)
 * document: only granted consume authorizations of topics count.
 */

const lines = readFileSync(join(__dirname, '../../fixtures/forensics/confluent-audit-events.jsonl'), 'utf8').split('\n').filter(Boolean);

describe('Confluent audit events', () => {
  it('reads a granted kafka.FetchConsumer on a topic (Confluent Platform)', () => {
    expect(parseAuditEvent(lines[0] as string)).toEqual({
      id: '7a1bd9a9-7923-4550-8603-dc48fbc5772f',
      principal: 'User:report-exporter',
      topic: 'orders',
      time: Date.parse('2026-11-21T09:15:02.114Z'),
      clientId: 'report-exporter',
      clientAddress: '10.9.8.7',
    });
  });

  it('skips a denied fetch and a group authorization', () => {
    expect(parseAuditEvent(lines[1] as string)).toBeUndefined();
    expect(parseAuditEvent(lines[2] as string)).toBeUndefined();
  });

  it('reads Confluent Cloud events (kafka.Fetch, specversion 1.0)', () => {
    expect(parseAuditEvent(Buffer.from(lines[3] as string))).toMatchObject({ principal: 'User:sa-abc123', topic: 'orders', clientId: 'rdkafka', clientAddress: '10.1.2.3' });
  });

  it('ignores records that are not events', () => {
    expect(parseAuditEvent('not json')).toBeUndefined();
    expect(parseAuditEvent(null)).toBeUndefined();
    expect(parseAuditEvent(JSON.stringify({ type: 'io.confluent.kafka.server/authentication', data: {} }))).toBeUndefined();
  });

  it('takes the topic from a CRN', () => {
    expect(topicOfCrn('crn:///kafka=qL97v6UYSyOOwnIPIHurGg/topic=orders')).toBe('orders');
    expect(topicOfCrn('crn:///kafka=qL97v6UYSyOOwnIPIHurGg/group=g')).toBeUndefined();
  });
});
