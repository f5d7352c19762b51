import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { RunState } from '../app/state-file';
import { ConfigError, type Config } from '../config/config';
import type { Logger } from '../log/logger';
import { createVaultSecrets } from '../vault';
import type { VaultAuth } from '../vault/auth';
import { VaultPayloadCodec, type DataKeySource } from './payload-codec';

/*
 * The one place the Temporal data converter is built. Every client and worker of the main command,
 * the worker process and the CLI take theirs from here, so they all read and write the same
 * payloads; a process that skipped the codec could not read what the others wrote.
 */

/**
 * Path of the failure converter module (`failure-converter`), for `DataConverter.failureConverterPath`
 * and `bundleWorkflowCode`: the compiled file in a build, else the TypeScript source. The SDK loads
 * it with `require` in the worker and client, so from source a TypeScript loader must be in place:
 * `bin/breachline` registers tsx there, and a test runner that has none gets it here.
 */
export function failureConverterPath(): string {
  const base = join(__dirname, 'failure-converter');
  if (existsSync(`${base}.js`)) return `${base}.js`;
  const load = createRequire(__filename);
  if (!('.ts' in load.extensions)) (load('tsx/cjs/api') as { register(): unknown }).register();
  return `${base}.ts`;
}

/**
 * The data converter of every client and worker of a process with the codec `codec` (absent: no
 * payload encryption). Failures always carry their message and stack trace as an encoded payload
 * (see `failure-converter.ts`), so that with a codec they are encrypted like every other payload,
 * and every process (and the workflow bundle) converts failures the same way.
 */
export function breachlineDataConverter(codec?: PayloadCodec): DataConverter {
  return { failureConverterPath: failureConverterPath(), ...(codec ? { payloadCodecs: [codec] } : {}) };
}

/** Where Vault is, as the endpoints resolve it (configured or the embedded sandbox). */
export interface CodecVault {
  address: string;
  /** A fixed token, or `auth` to log in (AppRole, Kubernetes) with lease renewal. */
  token?: string;
  auth?: VaultAuth;
  /** PEM CA bundle for an https address. */
  ca?: string;
  transitMount: string;
}

/** The payload encryption of a process: the data converter to give Temporal, and its codec (absent when off). */
export interface PayloadEncryption {
  /** Without a codec when encryption is off (failures still go through our failure converter). */
  dataConverter: DataConverter;
  codec?: VaultPayloadCodec;
}

/** Builds the codec from the config's `temporal.codec` block over a given data key source. */
export function createPayloadCodec(settings: Config['temporal']['codec'], secrets: DataKeySource): VaultPayloadCodec {
  return new VaultPayloadCodec({
    secrets,
    transitKey: settings.transitKey,
    rotateAfterPayloads: settings.rotateAfterPayloads,
    rotateAfterMs: settings.rotateAfterMinutes * 60_000,
  });
}

/**
 * The payload encryption for `config` with Vault at `vault`. On by default (`temporal.codec.enabled`),
 * since every mode has a Vault (configured or embedded); off only when the config turns it off.
 */
export function payloadEncryption(config: Config, vault: CodecVault, logger: Logger): PayloadEncryption {
  if (!config.temporal.codec.enabled) return { dataConverter: breachlineDataConverter() };
  // The same authentication as the playbook's Vault client: a token, or a login with lease renewal.
  const secrets = createVaultSecrets({
    address: vault.address,
    ...(vault.token !== undefined ? { token: vault.token } : {}),
    ...(vault.auth !== undefined ? { auth: vault.auth } : {}),
    ...(vault.ca !== undefined ? { ca: vault.ca } : {}),
    transitMount: vault.transitMount,
    logger: logger.child({ adapter: 'vault', use: 'temporal-codec' }),
  });
  const codec = createPayloadCodec(config.temporal.codec, secrets);
  return { dataConverter: breachlineDataConverter(codec), codec };
}

/**
 * The payload encryption a CLI command needs to talk to a running instance that encrypts (its
 * state file says so and names the transit key): Vault from the state file when embedded, else
 * the caller's configured Vault (`configuredVault`, read only when needed). Without either, the
 * command could not read a single payload, so it stops with what to set.
 */
export function payloadEncryptionForRunState(
  state: RunState,
  configuredVault: () => { address: string; token: string } | undefined,
  logger: Logger,
): PayloadEncryption {
  if (!state.codec) return { dataConverter: breachlineDataConverter() };
  const vault = state.vault ?? configuredVault();
  if (!vault) {
    throw new ConfigError([`the running breachline encrypts Temporal payloads with Vault transit key ${state.codec.transitKey}: set BREACHLINE_VAULT_ADDRESS and BREACHLINE_VAULT_TOKEN so this command can read them`]);
  }
  const secrets = createVaultSecrets({ address: vault.address, token: vault.token, transitMount: state.codec.transitMount, logger: logger.child({ adapter: 'vault', use: 'temporal-codec' }) });
  // A short-lived command encrypts little: the default rotation is enough.
  const codec = new VaultPayloadCodec({ secrets, transitKey: state.codec.transitKey });
  return { dataConverter: breachlineDataConverter(codec), codec };
}
