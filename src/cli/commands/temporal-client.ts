import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { temporalSecurity, vaultSecurity } from '../../app/secured-connections';
import { defaultStateFile, readRunState } from '../../app/state-file';
import { ConfigError, loadConfig, type Config } from '../../config/config';
import { silentLogger, type Logger } from '../../log/logger';
import { breachlineDataConverter, payloadEncryption, payloadEncryptionForRunState, type CodecVault } from '../../temporal/data-converter';

/*
 * How a command that is not the main process talks to Temporal: with the same data converter as
 * every worker and client, so what it sends (an Update's request, an alert) is encrypted like the
 * rest of the history, and a worker can read it at all.
 */

/**
 * The data converter of a process configured to reach Temporal itself (BREACHLINE_TEMPORAL_ADDRESS).
 * With payload encryption on (the default) it needs Vault for the data keys; without one it
 * refuses rather than send payloads in clear. `BREACHLINE_TEMPORAL_CODEC=false` is the explicit way
 * to run without.
 */
export function configuredDataConverter(config: Config, logger: Logger, who = 'this command'): DataConverter {
  if (!config.temporal.codec.enabled) return breachlineDataConverter();
  if (config.vault.address === undefined) {
    throw new ConfigError([`BREACHLINE_VAULT_ADDRESS: Temporal payloads are encrypted (BREACHLINE_TEMPORAL_CODEC, on by default) with data keys from Vault transit; set the Vault address and credentials, or BREACHLINE_TEMPORAL_CODEC=false to hand payloads over unencrypted`]);
  }
  if (config.vault.authMethod === 'token' && config.vault.token === undefined) {
    throw new ConfigError([`BREACHLINE_VAULT_TOKEN: ${who} reads payload data keys from Vault transit and has no Vault token (or set BREACHLINE_VAULT_AUTH_METHOD to log in)`]);
  }
  const vault: CodecVault = {
    address: config.vault.address,
    ...vaultSecurity(config.vault),
    ...(config.vault.authMethod === 'token' && config.vault.token !== undefined ? { token: config.vault.token } : {}),
    transitMount: config.vault.transitMount,
  };
  return payloadEncryption(config, vault, logger).dataConverter;
}

/** A Temporal client for a short-lived command, and how to let go of its connection. */
export interface CommandClient {
  client: Client;
  close(): Promise<void>;
}

/**
 * A client on the configured Temporal (with this process's TLS / API key and codec), else on the
 * running instance the state file names (with the codec its state file announces). Throws what to
 * set when there is neither.
 */
export async function commandClient(stateFile: string | undefined, purpose: string): Promise<CommandClient> {
  const config = loadConfig();
  if (config.temporal.address !== undefined) {
    const dataConverter = configuredDataConverter(config, silentLogger);
    const connection = await Connection.connect({ address: config.temporal.address, ...temporalSecurity(config.temporal) });
    return { client: new Client({ connection, namespace: config.temporal.namespace, dataConverter }), close: () => connection.close() };
  }
  const state = await readRunState(stateFile ?? defaultStateFile()).catch(() => undefined);
  if (state === undefined) throw new Error(`no Temporal ${purpose}: set BREACHLINE_TEMPORAL_ADDRESS`);
  const configuredVault = (): { address: string; token: string } | undefined =>
    config.vault.address !== undefined && config.vault.token !== undefined ? { address: config.vault.address, token: config.vault.token } : undefined;
  const { dataConverter } = payloadEncryptionForRunState(state, configuredVault, silentLogger);
  const connection = await Connection.connect({ address: state.temporal.address });
  return { client: new Client({ connection, namespace: state.temporal.namespace, dataConverter }), close: () => connection.close() };
}
