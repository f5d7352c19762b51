import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { start as startSlack } from '../../../src/sandbox/slack/index';
import { start as startVault } from '../../../src/sandbox/vault/index';
import { appendPrivateFileSync, writePrivateFileSync } from '../../../src/security/private-file';

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'breachline-modes-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('secret-bearing files are owner-only (0600)', () => {
  it('private-file helpers: new files, and files that already existed with 0644', () => {
    const dir = scratch();
    writePrivateFileSync(join(dir, 'a.json'), '{}');
    appendPrivateFileSync(join(dir, 'b.log'), 'x\n');
    writeFileSync(join(dir, 'c.log'), 'old\n', { mode: 0o644 });
    writeFileSync(join(dir, 'd.json.tmp'), 'stale', { mode: 0o644 });
    appendPrivateFileSync(join(dir, 'c.log'), 'new\n');
    writePrivateFileSync(join(dir, 'd.json'), '{}');
    for (const f of ['a.json', 'b.log', 'c.log', 'd.json']) expect({ f, mode: modeOf(join(dir, f)).toString(8) }).toEqual({ f, mode: '600' });
  });

  it('Slack sandbox: the state file with the bot token and signing secret, and the call journal', async () => {
    const dir = scratch();
    const sandbox = await startSlack({ dataDir: dir });
    try {
      const res = await fetch(`${sandbox.apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${sandbox.botToken}` } });
      expect(res.status).toBe(200);
    } finally {
      await sandbox.close();
    }
    const files = readdirSync(dir);
    expect(files).toContain('slack-workspace.json');
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect({ f, mode: modeOf(join(dir, f)).toString(8) }).toEqual({ f, mode: '600' });
  });

  it('Vault sandbox: state snapshot and audit log', async () => {
    const dir = scratch();
    const vault = await startVault({ dataDir: dir });
    try {
      const res = await fetch(`${vault.address}/v1/sys/health`);
      expect(res.status).toBeLessThan(500);
    } finally {
      await vault.close();
    }
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const f of files) expect({ f, mode: modeOf(join(dir, f)).toString(8) }).toEqual({ f, mode: '600' });
  });
});
