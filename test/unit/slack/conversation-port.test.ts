import { describe, expect, it } from 'vitest';
import { normaliseChannelName } from '../../../src/slack/conversation-port';
import { scrubSecrets } from '../../../src/slack/bolt-logger';

describe('normaliseChannelName', () => {
  it('follows Slack channel name rules', () => {
    expect(normaliseChannelName('#INC 42 / Kafka breach')).toBe('inc-42-kafka-breach');
    expect(normaliseChannelName('inc_7')).toBe('inc_7');
    expect(normaliseChannelName('x'.repeat(100))).toHaveLength(80);
    expect(() => normaliseChannelName(' ## ')).toThrow(RangeError);
  });
});

describe('scrubSecrets', () => {
  it('removes Slack tokens and named secrets from free text', () => {
    const line = 'calling with Bearer xoxb-123-456-abcDEF and secret 0123456789abcdef';
    const out = scrubSecrets(line, ['0123456789abcdef']);
    expect(out).not.toContain('xoxb-123');
    expect(out).not.toContain('0123456789abcdef');
    expect(out).toContain('calling with Bearer [redacted]');
  });
});
