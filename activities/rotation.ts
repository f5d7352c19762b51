import { asyncLocalStorage } from '@temporalio/activity';
import { checkpoint } from './heartbeat';
import { ApplicationFailure } from '@temporalio/common';
import type { Actor, EventDataMap } from '../src/domain/events';
import type { EventDraft, StepInput, StepOutput } from '../src/domain/step-contract';
import {
  applyStagedPassword,
  eventually,
  readStoredAccount,
  stageVaultVersion,
  verifyStagedPassword,
  type AccountRotationSpec,
  type VerifyOptions,
} from '../src/kafka/account-rotation';
import type { KafkaConnection } from '../src/kafka/client';
import { destroySecretId, findAccountTokenAccessors, listRoleSecretIds, tokenIsGone } from '../src/kafka/compromised-account';
import { planRotation } from '../src/kafka/rotation-plan';
import { RotationError } from '../src/kafka/rotation-errors';
import type { ScramAdmin } from '../src/kafka/scram-admin';
import { ALL_SCRAM_MECHANISMS, deleteScramUser, scramAdminFor, scramMechanismsOf, trySaslLogin } from '../src/kafka/scram-rotation';
import { toRotationFailure } from '../src/kafka/rotation-failure';
import type { Logger } from '../src/log/logger';
import type { SecretsPort } from '../src/vault/port';
import { accountOf, serviceAccountPath } from '../src/vault/service-accounts';

/**
 * The `rotate-credentials` step (design §2): retire every credential the compromised service held
 * and give each account in the blast radius a new SCRAM password, recorded in Vault first.
 *
 * Order: the compromised account first (its SCRAM credentials deleted, its Vault tokens revoked by
 * accessor, its AppRole secret ids destroyed), then each blast-radius account (see
 * `src/kafka/account-rotation.ts`). The compromised account is never rotated, even when the
 * runbook lists it in the blast radius.
 *
 * Resumable: after each piece of work the activity heartbeats a {@link RotationCheckpoint} (events
 * so far, targets found, accounts done; never a secret). A retry resumes from it, and the Vault
 * version tag `rotatedBy = stepKey` makes the rotation itself idempotent even without a checkpoint.
 */

/** Dependencies of {@link createRotationActivities}. */
export interface RotationActivityDeps {
  /** Admin connection: needs DESCRIBE/ALTER on the cluster for SCRAM credentials. */
  kafka: KafkaConnection;
  /** Needs read/write on the service-account KV paths, token accessors (sudo), lookup/revoke-accessor and AppRole secret ids. */
  secrets: SecretsPort;
  logger: Logger;
  now?: () => Date;
  /** Verification polling; tests shorten it. */
  verify?: VerifyOptions;
}

/** Heartbeat details of the step; JSON and free of secrets. */
export interface RotationCheckpoint {
  stepKey: string;
  /** Events of the work already done, in order. */
  events: EventDraft[];
  /** Token accessors of the compromised account, recorded before revoking them. */
  tokenTargets: string[];
  /** Secret-id accessors of the compromised account's AppRole, recorded before destroying them. */
  secretIdTargets: string[];
  /** Finished units: `scram:<user>`, `token:<accessor>`, `secret-id:<accessor>`, and each rotated account's name. */
  done: string[];
}

const ACTOR: Actor = { kind: 'system', id: 'activity:rotate-credentials' };

/** The events this step emits in live mode, before `at` and `actor` are added. */
type RecordedEvent = { [T in 'CredentialRotated' | 'CredentialRevoked']: { type: T; data: EventDataMap[T] } }['CredentialRotated' | 'CredentialRevoked'];

/** What the step returns besides its events. */
export interface RotationResult {
  rotated: string[];
  revoked: number;
}

/** The rotation activities; see the module comment. */
export function createRotationActivities(deps: RotationActivityDeps): {
  rotateCredentials(input: StepInput<'rotate-credentials'>): Promise<StepOutput<RotationResult>>;
} {
  return {
    async rotateCredentials(input) {
      const logger = deps.logger.child({ incidentId: input.incidentId, step: input.stepId, stepKey: input.stepKey });
      const admin = scramAdminFor(deps.kafka, logger);
      try {
        return await new RotationRun(deps, input, admin, logger).run();
      } catch (err) {
        const failure = toRotationFailure(err);
        logger.warn({ type: failure.type, nonRetryable: failure.nonRetryable, reason: failure.message }, 'rotate-credentials failed');
        throw ApplicationFailure.create(failure);
      } finally {
        await admin.close();
      }
    },
  };
}

/** The previous attempt's checkpoint, if it belongs to this step and has the expected shape. */
function resumeFrom(stepKey: string): RotationCheckpoint | undefined {
  const details: unknown = asyncLocalStorage.getStore()?.info.heartbeatDetails;
  if (!details || typeof details !== 'object') return undefined;
  const d = details as Partial<RotationCheckpoint>;
  if (d.stepKey !== stepKey || !Array.isArray(d.events) || !Array.isArray(d.tokenTargets) || !Array.isArray(d.secretIdTargets) || !Array.isArray(d.done)) {
    return undefined;
  }
  return { stepKey, events: d.events, tokenTargets: d.tokenTargets, secretIdTargets: d.secretIdTargets, done: d.done };
}

class RotationRun {
  private readonly params: StepInput<'rotate-credentials'>['params'];
  private readonly compromised: string;
  private readonly accounts: string[];
  private readonly checkpoint: RotationCheckpoint;

  constructor(
    private readonly deps: RotationActivityDeps,
    private readonly input: StepInput<'rotate-credentials'>,
    private readonly admin: ScramAdmin,
    private readonly logger: Logger,
  ) {
    this.params = input.params;
    this.compromised = accountOf(input.principal);
    this.accounts = [...new Set(input.params.blastRadius.map(accountOf))].filter((a) => a !== this.compromised);
    this.checkpoint = resumeFrom(input.stepKey) ?? { stepKey: input.stepKey, events: [], tokenTargets: [], secretIdTargets: [], done: [] };
  }

  async run(): Promise<StepOutput<RotationResult>> {
    if (this.input.mode === 'dry-run') return this.plan();
    if (this.checkpoint.events.length > 0) this.logger.info({ resumedEvents: this.checkpoint.events.length }, 'resuming rotation from checkpoint');
    if (this.params.revokeVaultTokens) await this.discoverVaultTargets();
    if (this.params.deleteCompromisedAccount) await this.deleteCompromisedScram();
    if (this.params.revokeVaultTokens) {
      await this.revokeTokens();
      await this.destroySecretIds();
    }
    for (const account of this.accounts) {
      if (!this.checkpoint.done.includes(account)) await this.rotate(account);
    }
    const events = this.checkpoint.events;
    return {
      events,
      result: {
        rotated: events.flatMap((e) => (e.type === 'CredentialRotated' ? [e.data.account] : [])),
        revoked: events.filter((e) => e.type === 'CredentialRevoked').length,
      },
    };
  }

  private async plan(): Promise<StepOutput<RotationResult>> {
    const changes = await planRotation(this.deps.secrets, this.admin, {
      compromised: this.compromised,
      accounts: this.accounts,
      vaultPathTemplate: this.params.vaultPathTemplate,
      mechanism: this.params.mechanism,
      iterations: this.params.iterations,
      revokeVaultTokens: this.params.revokeVaultTokens,
      deleteCompromisedAccount: this.params.deleteCompromisedAccount,
      stepKey: this.input.stepKey,
    });
    const event: EventDraft = { type: 'StepPlanned', at: this.at(), actor: ACTOR, data: { stepId: this.input.stepId, action: 'rotate-credentials', changes } };
    return { events: [event], result: { rotated: [], revoked: 0 } };
  }

  /** Deletes the compromised user's SCRAM credentials; with `verify`, its stored password must be refused. */
  private async deleteCompromisedScram(): Promise<void> {
    const stored = await readStoredAccount(this.deps.secrets, serviceAccountPath(this.compromised, this.params.vaultPathTemplate));
    const user = stored?.username ?? this.compromised;
    const unit = `scram:${user}`;
    if (this.checkpoint.done.includes(unit)) return;
    const deleted = await deleteScramUser(this.admin, user);
    if ((await scramMechanismsOf(this.admin, user)).length > 0) {
      throw new RotationError('RevocationVerificationFailed', `SCRAM credentials of ${user} are still present after deletion`, true);
    }
    if (this.params.verify && stored) {
      for (const mechanism of ALL_SCRAM_MECHANISMS) {
        const refused = await eventually(async () => (await trySaslLogin(this.deps.kafka, { user, password: stored.password, mechanism })) === 'refused', this.deps.verify);
        if (!refused) {
          throw new RotationError('RevocationVerificationFailed', `${user} can still log in with ${mechanism}`, true);
        }
      }
    }
    this.logger.info({ account: this.compromised, mechanisms: deleted }, 'deleted the compromised account on the broker');
    this.record({ type: 'CredentialRevoked', data: { account: this.compromised, credential: 'kafka-scram-user', reference: user } }, unit);
  }

  /**
   * Finds the compromised account's tokens and secret ids and heartbeats them before anything is
   * revoked. A revoked token or destroyed secret id vanishes from Vault's lists, so without this a
   * retry after a crash could not report what the killed attempt had revoked. Doing it before any
   * other work makes it the attempt's first heartbeat, which the SDK sends at once (later ones are
   * throttled).
   */
  private async discoverVaultTargets(): Promise<void> {
    const [tokens, secretIds] = await Promise.all([
      findAccountTokenAccessors(this.deps.secrets, this.compromised),
      listRoleSecretIds(this.deps.secrets, this.compromised),
    ]);
    this.checkpoint.tokenTargets = [...new Set([...this.checkpoint.tokenTargets, ...tokens])];
    this.checkpoint.secretIdTargets = [...new Set([...this.checkpoint.secretIdTargets, ...secretIds])];
    this.heartbeat();
  }

  /** Revokes every token found by {@link discoverVaultTargets}. */
  private async revokeTokens(): Promise<void> {
    for (const accessor of this.checkpoint.tokenTargets) {
      const unit = `token:${accessor}`;
      if (this.checkpoint.done.includes(unit)) continue;
      await this.deps.secrets.revokeTokenByAccessor(accessor);
      if (!(await tokenIsGone(this.deps.secrets, accessor))) {
        throw new RotationError('RevocationVerificationFailed', `a token of ${this.compromised} (accessor ${accessor}) still resolves after revocation`, true);
      }
      this.record({ type: 'CredentialRevoked', data: { account: this.compromised, credential: 'vault-token', reference: accessor } }, unit);
    }
    if (this.checkpoint.tokenTargets.length > 0) this.logger.info({ account: this.compromised, tokens: this.checkpoint.tokenTargets.length }, 'revoked Vault tokens');
  }

  /** Destroys every secret id of the AppRole named after the compromised account. */
  private async destroySecretIds(): Promise<void> {
    const role = this.compromised;
    const pending = this.checkpoint.secretIdTargets.filter((a) => !this.checkpoint.done.includes(`secret-id:${a}`));
    for (const accessor of pending) await destroySecretId(this.deps.secrets, role, accessor);
    if (pending.length === 0) return;
    const remaining = new Set(await listRoleSecretIds(this.deps.secrets, role));
    const survivor = pending.find((a) => remaining.has(a));
    if (survivor !== undefined) {
      throw new RotationError('RevocationVerificationFailed', `AppRole ${role} secret id (accessor ${survivor}) survived destruction`, true);
    }
    for (const accessor of pending) {
      this.record({ type: 'CredentialRevoked', data: { account: this.compromised, credential: 'approle-secret-id', reference: accessor } }, `secret-id:${accessor}`);
    }
    this.logger.info({ role, secretIds: pending.length }, 'destroyed AppRole secret ids');
  }

  /** Stage, apply, verify one account (see `account-rotation.ts`). */
  private async rotate(account: string): Promise<void> {
    const spec: AccountRotationSpec = {
      account,
      vaultPathTemplate: this.params.vaultPathTemplate,
      mechanism: this.params.mechanism,
      iterations: this.params.iterations,
      stepKey: this.input.stepKey,
    };
    const staged = await stageVaultVersion(this.deps.secrets, spec);
    await applyStagedPassword(this.admin, staged, spec);
    if (this.params.verify) await verifyStagedPassword(this.deps.kafka, staged, spec.mechanism, { ...this.deps.verify, logger: this.logger });
    this.logger.info({ account, vaultVersion: staged.vaultVersion, reused: staged.reused }, 'rotated credentials');
    const data: EventDataMap['CredentialRotated'] = {
      account,
      mechanism: spec.mechanism,
      iterations: spec.iterations,
      vaultPath: staged.vaultPath,
      vaultVersion: staged.vaultVersion,
      verified: this.params.verify,
    };
    this.record({ type: 'CredentialRotated', data }, account);
  }

  private record(event: RecordedEvent, unit: string): void {
    this.checkpoint.events.push({ ...event, at: this.at(), actor: ACTOR } as EventDraft);
    this.checkpoint.done.push(unit);
    this.heartbeat();
  }

  private heartbeat(): void {
    // Outside an activity context (direct calls from tests or scripts) there is nothing to report to.
    checkpoint(structuredClone(this.checkpoint));
  }

  private at(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }
}
