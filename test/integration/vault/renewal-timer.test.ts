import nodeVault from 'node-vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault/index';
import type { RenewalScheduler } from '../../../src/vault/auth';

/**
 * A login token is kept alive in the background (issue 15, item 4), not only before calls: a
 * process that makes no Vault call for longer than the TTL (a worker between incidents) still
 * holds a live token. Renewal at 2/3 of the lease, a new login when the max TTL caps renewal or
 * a renewal is refused. Time is the Vault sandbox's manual clock; the session's timers are
 * scheduled on that clock, so each fires exactly at its instant and the test awaits its work.
 */

/** Timers on the manual clock: `advance` moves the clock and runs (and awaits) every timer due. */
class ClockTimers {
  private tasks: Array<{ at: number; run: () => Promise<void>; cancelled: boolean }> = [];
  constructor(private readonly clock: ManualClock) {}

  readonly schedule: RenewalScheduler = (run, delayMs) => {
    const task = { at: this.clock.now() + delayMs, run, cancelled: false };
    this.tasks.push(task);
    return () => {
      task.cancelled = true;
    };
  };

  /** Timers armed and not cancelled. */
  get armed(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    for (;;) {
      const due = this.tasks.filter((t) => !t.cancelled && t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.tasks = this.tasks.filter((t) => t !== due);
      this.clock.advance(Math.max(0, due.at - this.clock.now()));
      await due.run();
    }
    this.clock.advance(Math.max(0, target - this.clock.now()));
  }
}

describe('vault: background token renewal on the sandbox clock', () => {
  let vault: RunningVaultSandbox;
  let clock: ManualClock;
  let root: ReturnType<typeof nodeVault>;
  let roleId: string;

  const count = (path: string): number => vault.audit.entries().filter((e) => e.type === 'request' && e.request.path === path).length;

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    vault = await start({ clock });
    root = nodeVault({ endpoint: vault.address, token: vault.rootToken, apiVersion: 'v1' });
    await root.addPolicy({ name: 'orchestrator', rules: 'path "secret/data/*" { capabilities = ["create", "read", "update"] }' });
    await root.write('auth/approle/role/breachline', { token_policies: 'orchestrator', token_ttl: 60, token_max_ttl: 150 });
    roleId = ((await root.getApproleRoleId({ role_name: 'breachline' })) as { data: { role_id: string } }).data.role_id;
  });
  afterAll(async () => {
    await vault?.close();
  });

  /** A session logged in at the current instant, with timers on the clock. */
  async function loggedIn(): Promise<{ secrets: SecretsPort; timers: ClockTimers; counts: () => { logins: number; renewals: number } }> {
    const secretId = ((await root.getApproleRoleSecret({ role_name: 'breachline' })) as { data: { secret_id: string } }).data.secret_id;
    const timers = new ClockTimers(clock);
    const secrets = createVaultSecrets({
      address: vault.address,
      auth: { method: 'approle', roleId, secretId: async () => secretId },
      session: { now: () => clock.now(), schedule: timers.schedule, retryMs: 5_000 },
    });
    const base = { logins: count('auth/approle/login'), renewals: count('auth/token/renew-self') };
    await secrets.writeSecret('app/orders', { at: clock.now() });
    return { secrets, timers, counts: () => ({ logins: count('auth/approle/login') - base.logins, renewals: count('auth/token/renew-self') - base.renewals }) };
  }

  it('renews at 2/3 of the TTL with no call in between, and logs in again when the max TTL caps it', async () => {
    const { secrets, timers, counts } = await loggedIn();
    expect(counts()).toEqual({ logins: 1, renewals: 0 });
    expect(timers.armed).toBe(1);
    await timers.advance(39_000);
    expect(counts()).toEqual({ logins: 1, renewals: 0 }); // t=39 s: before 2/3 of 60 s
    await timers.advance(1_000);
    expect(counts()).toEqual({ logins: 1, renewals: 1 }); // t=40 s: renewed to t=100 s
    await timers.advance(40_000);
    expect(counts()).toEqual({ logins: 1, renewals: 2 }); // t=80 s: renewed to t=140 s
    await timers.advance(40_000);
    expect(counts()).toEqual({ logins: 1, renewals: 3 }); // t=120 s: capped at the max TTL (t=150 s)
    await timers.advance(20_000);
    expect(counts()).toEqual({ logins: 2, renewals: 3 }); // t=140 s: 2/3 of the capped 30 s: a new login
    // Idle far past every TTL: the token the next call uses was never let expire.
    await timers.advance(600_000);
    const before = count('auth/approle/login');
    await secrets.writeSecret('app/orders', { at: clock.now() });
    expect(count('auth/approle/login')).toBe(before);
    expect(timers.armed).toBe(1);
  });

  it('logs in again in the background when a renewal is refused (token revoked out of band)', async () => {
    const { secrets, timers, counts } = await loggedIn();
    await root.write('sys/leases/revoke-prefix/auth/approle/login', {});
    await timers.advance(40_000);
    expect(counts()).toEqual({ logins: 2, renewals: 0 });
    // The refused renewal is in the audit log; the call afterwards needs no login of its own.
    await secrets.writeSecret('app/orders', { at: clock.now() });
    expect(counts()).toEqual({ logins: 2, renewals: 0 });
  });

  it('retries a failed background refresh while Vault is sealed, and recovers once it is unsealed', async () => {
    const { timers, counts } = await loggedIn();
    vault.seal();
    await timers.advance(40_000);
    expect(counts().renewals).toBe(0);
    expect(timers.armed).toBe(1); // the retry
    vault.unseal();
    await timers.advance(5_000);
    expect(counts()).toEqual({ logins: 1, renewals: 1 });
  });
});
