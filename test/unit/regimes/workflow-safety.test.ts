import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The clock workflows call the calculator during replay: nothing in src/domain/regimes may read
 * a clock, draw a random number or touch the process, and its only libraries are the pure
 * calendar ones (luxon, date-holidays) and zod for the schema.
 */
const DIR = resolve(__dirname, '../../../src/domain/regimes');
const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));

describe('src/domain/regimes stays deterministic', () => {
  it.each(files)('%s reads no clock and draws no random numbers', (file) => {
    const code = readFileSync(join(DIR, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(code).not.toMatch(/Date\.now\(|Math\.random\(|new Date\(\)|performance\.now\(|process\.|DateTime\.(?:now|local|utc)\(\)|Settings\./);
  });

  it('imports only luxon, date-holidays and zod from outside the domain', () => {
    const bare = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(join(DIR, file), 'utf8').matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
        if (m[1] === undefined && !(m[2] ?? '').startsWith('.')) bare.add(m[2] ?? '');
      }
    }
    expect([...bare].sort()).toEqual(['date-holidays', 'luxon', 'zod']);
  });
});
