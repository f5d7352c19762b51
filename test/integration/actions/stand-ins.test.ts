import { describe, expect, it } from 'vitest';
import { SERVICE_STAND_IN_NAMES, SERVICE_STAND_IN_STARTERS } from '../../../src/sandbox/up';

describe('outside-service stand-ins in the sandbox registry', () => {
  it.each(SERVICE_STAND_IN_NAMES)('%s starts on a free port, answers HTTP, and releases the port on close', async (name) => {
    const s = await SERVICE_STAND_IN_STARTERS[name]({});
    try {
      expect(s.name).toBe(name);
      expect(s.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${s.address}/not-a-route`, { method: 'POST', body: '{}' });
      // Every stand-in answers an unknown or unauthenticated request with a documented 4xx.
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    } finally {
      await s.close();
    }
    await expect(fetch(`${s.address}/`)).rejects.toThrow();
  });
});
