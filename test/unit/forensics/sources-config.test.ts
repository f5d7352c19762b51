import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config';
import { parseSourceSpecs } from '../../../src/forensics/sources/spec';

/* Choosing a cluster's access-record sources in configuration, several combined. */

describe('BREACHLINE_FORENSICS_SOURCES', () => {
  it('combines several sources', () => {
    const c = loadConfig({ env: { BREACHLINE_FORENSICS_SOURCES: 'request-log:file:/var/log/kafka/kafka-request.log*, consumer-offsets,confluent-audit,sandbox-access-log:__access_log' } });
    expect(c.kafka.forensicsSources).toHaveLength(4);
    expect(parseSourceSpecs((c.kafka.forensicsSources ?? []).join(','))).toEqual([
      { kind: 'request-log', location: { kind: 'file', pattern: '/var/log/kafka/kafka-request.log*' } },
      { kind: 'consumer-offsets' },
      { kind: 'confluent-audit' },
      { kind: 'sandbox-access-log', topic: '__access_log' },
    ]);
  });

  it('is unset by default (the forensics step then reads the sandbox access log)', () => {
    expect(loadConfig({ env: {} }).kafka.forensicsSources).toBeUndefined();
  });

  it('rejects unknown sources and an incomplete request-log spec, naming the field', () => {
    let error: unknown;
    try {
      loadConfig({ env: { BREACHLINE_FORENSICS_SOURCES: 'request-log:file:,splunk' } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('kafka.forensicsSources');
    expect(problems).toMatch(/request-log needs file:<path glob> or topic:<topic>/);
    expect(problems).toMatch(/"splunk": unknown access-record source/);
  });

  it('keeps the colons of a topic name or path after the source kind', () => {
    expect(parseSourceSpecs('request-log:topic:logs:kafka')).toEqual([{ kind: 'request-log', location: { kind: 'topic', topic: 'logs:kafka' } }]);
  });
});
