import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../src/sandbox/temporal/journal';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Journal', () => {
  it('returns the records written before a reopen, ignoring a torn last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    dirs.push(dir);
    const first = Journal.open(dir);
    first.journal.append({ k: 'ns', name: 'default', id: '1' });
    first.journal.append({ k: 'clock', offset: 42 });
    first.journal.close();
    appendFileSync(join(dir, 'temporal.journal'), '{"k":"ns","na');
    const second = Journal.open(dir);
    expect(second.records).toEqual([{ k: 'ns', name: 'default', id: '1' }, { k: 'clock', offset: 42 }]);
    second.journal.close();
  });

  it('refuses a journal corrupted before its last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    dirs.push(dir);
    appendFileSync(join(dir, 'temporal.journal'), 'garbage\n{"k":"clock","offset":1}\n');
    expect(() => Journal.open(dir)).toThrow(/corrupt/);
  });
});

describe('Journal writes', () => {
  it('puts the records of one operation in the file before the event loop turns, without waiting for close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    dirs.push(dir);
    const { journal } = Journal.open(dir);
    journal.append({ k: 'ns', name: 'a', id: '1' });
    journal.append({ k: 'ns', name: 'b', id: '2' });
    await new Promise((resolve) => setImmediate(resolve));
    const lines = readFileSync(join(dir, 'temporal.journal'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ k: 'ns', name: 'a', id: '1' }, { k: 'ns', name: 'b', id: '2' }]);
    journal.close();
  });
});
