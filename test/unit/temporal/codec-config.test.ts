import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config';

/* The `temporal.codec` block (issue 15): on by default, switchable, and bad values named. */

describe('temporal.codec configuration', () => {
  it('encrypts by default with the breachline-temporal transit key and serves no endpoint', () => {
    const codec = loadConfig({ env: {} }).temporal.codec;
    expect(codec).toMatchObject({ enabled: true, transitKey: 'breachline-temporal', rotateAfterPayloads: 10_000, rotateAfterMinutes: 60, host: '127.0.0.1', corsOrigins: [], tokens: [] });
    expect(codec.port).toBeUndefined();
  });

  it('reads every variable of the block from the environment', () => {
    const codec = loadConfig({
      env: {
        BREACHLINE_TEMPORAL_CODEC: 'false',
        BREACHLINE_TEMPORAL_CODEC_KEY: 'ir-payloads',
        BREACHLINE_TEMPORAL_CODEC_ROTATE_PAYLOADS: '500',
        BREACHLINE_TEMPORAL_CODEC_ROTATE_MINUTES: '5',
        BREACHLINE_CODEC_PORT: '8888',
        BREACHLINE_CODEC_CORS_ORIGINS: 'http://localhost:8233, https://temporal.example',
        BREACHLINE_CODEC_TOKENS: '[{"user":"U1","token":"0123456789abcdef"}]',
      },
    }).temporal.codec;
    expect(codec).toMatchObject({ enabled: false, transitKey: 'ir-payloads', rotateAfterPayloads: 500, rotateAfterMinutes: 5, port: 8888, corsOrigins: ['http://localhost:8233', 'https://temporal.example'], tokens: [{ user: 'U1', token: '0123456789abcdef' }] });
  });

  it('names each bad value', () => {
    let caught: unknown;
    try {
      loadConfig({ env: { BREACHLINE_TEMPORAL_CODEC: 'maybe', BREACHLINE_TEMPORAL_CODEC_KEY: 'a/b', BREACHLINE_CODEC_TOKENS: '[{"user":"U1","token":"short"}]', BREACHLINE_CODEC_CORS_ORIGINS: 'not a url' } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toContain('temporal.codec.enabled');
    expect(problems).toContain('temporal.codec.transitKey');
    expect(problems).toContain('temporal.codec.tokens.0.token: codec endpoint tokens need at least 16 characters');
    expect(problems).toContain('temporal.codec.corsOrigins.0');
  });
});
