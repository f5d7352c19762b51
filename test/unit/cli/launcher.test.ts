import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * `bin/entry.cjs` runs the compiled build only while it is current: a build older than any source
 * would run yesterday's code, so then it runs the sources.
 */
describe('the launcher picks the compiled build only when it is current', () => {
  let dir: string;
  const load = (): string =>
    execFileSync(process.execPath, ['-e', "process.stdout.write(require('./bin/entry.cjs').load('src/which').which)"], { cwd: dir, encoding: 'utf8', env: { ...process.env, BREACHLINE_FROM_SOURCE: '' } });
  const at = (path: string, seconds: number): void => utimesSync(path, seconds, seconds);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'breachline-launcher-'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'dist', 'src'), { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'entry.cjs'), join(dir, 'bin', 'entry.cjs'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'src', 'which.ts'), "export const which: string = 'source';\n");
    writeFileSync(join(dir, 'dist', 'src', 'which.js'), "exports.which = 'compiled';\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the sources when there is no build', () => {
    expect(load()).toBe('source');
  });

  it('runs the build when it is newer than every source', () => {
    writeFileSync(join(dir, 'dist', '.build-stamp'), 'built');
    at(join(dir, 'src', 'which.ts'), 1_000_000);
    at(join(dir, 'dist', '.build-stamp'), 2_000_000);
    expect(load()).toBe('compiled');
  });

  it('runs the sources again once one is edited after the build', () => {
    mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'src', 'deep', 'edited.ts'), 'export {};\n');
    at(join(dir, 'src', 'deep', 'edited.ts'), 3_000_000);
    expect(load()).toBe('source');
  });
});
