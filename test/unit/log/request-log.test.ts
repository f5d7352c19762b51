import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/logger';
import { lazyRequestLog } from '../../../src/log/request-log';

function capture(level: string): { lines: Array<Record<string, unknown>>; logger: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ name: 'request-log-test', level, destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) } });
  return { lines, logger };
}

describe('a request log made on first use', () => {
  it('writes lines the level lets through with the request bindings, and nothing below it', () => {
    const { lines, logger } = capture('warn');
    const log = lazyRequestLog(logger, { correlationId: 'req-7' });
    log.debug({ alertId: 'a1' }, 'alert normalised');
    log.info({ alertId: 'a1' }, 'alert durably queued');
    log.warn({ code: 'replayed' }, 'alert refused');
    log.error({ code: 'alert_log_unavailable' }, 'alert not accepted');
    expect(lines.map((l) => [l.msg, l.correlationId, l.code])).toEqual([
      ['alert refused', 'req-7', 'replayed'],
      ['alert not accepted', 'req-7', 'alert_log_unavailable'],
    ]);
  });

  it('still scrubs secrets handed in as bindings', () => {
    const { lines, logger } = capture('info');
    lazyRequestLog(logger, { correlationId: 'req-8', hmacSecret: 'relay-secret-0042' }).info({}, 'line');
    expect(JSON.stringify(lines)).not.toContain('relay-secret-0042');
    expect(lines[0]?.correlationId).toBe('req-8');
  });
});
