import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config';

describe('console configuration', () => {
  it('defaults to port 8790, 8-hour sessions, no public URL', () => {
    expect(loadConfig({ env: {} }).console).toEqual({ enabled: true, port: 8790, sessionMinutes: 480 });
  });

  it('reads its environment variables', () => {
    const c = loadConfig({ env: { BREACHLINE_CONSOLE_PORT: '9000', BREACHLINE_CONSOLE_URL: 'https://console.example.org', BREACHLINE_CONSOLE_SESSION_MINUTES: '60', BREACHLINE_CONSOLE: 'false', BREACHLINE_CONSOLE_STATIC_DIR: 'web' } }).console;
    expect(c).toEqual({ enabled: false, port: 9000, publicUrl: 'https://console.example.org', sessionMinutes: 60, staticDir: 'web' });
  });

  it('names each bad setting with its variable', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ env: { BREACHLINE_CONSOLE_PORT: '70000', BREACHLINE_CONSOLE_URL: 'javascript:alert(1)', BREACHLINE_CONSOLE_SESSION_MINUTES: '0' } });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toContain('console.port (BREACHLINE_CONSOLE_PORT)');
    expect(problems.join('\n')).toContain('console.publicUrl (BREACHLINE_CONSOLE_URL)');
    expect(problems.join('\n')).toContain('console.sessionMinutes (BREACHLINE_CONSOLE_SESSION_MINUTES)');
  });
});
