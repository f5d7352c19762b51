import { join } from 'node:path';
import type { Command } from 'commander';
import { defaultStateFile, readRunState } from '../../app/state-file';
import { ConfigError, loadConfig } from '../../config/config';
import { createLogger } from '../../log/logger';
import { collectSecretValues } from '../../log/redact';
import { loadPolicyEngine } from '../../slack/policy/cedar-policy';
import { startCodecServer } from '../../temporal/codec-server';
import { createPayloadCodec } from '../../temporal/data-converter';
import { createVaultSecrets } from '../../vault';

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${v}`);
  return n;
};

/**
 * Registers `breachline codec-server`: Temporal's codec endpoint on its own, for a Temporal UI or
 * CLI next to a production deployment (the main command serves the same endpoint when
 * `BREACHLINE_CODEC_PORT` is set). Vault and the tokens come from the configuration; without a
 * configured Vault, the running demo's (from its state file).
 */
export function registerCodecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description("serve Temporal's codec endpoint (POST /encode, /decode) so the Temporal UI shows encrypted payloads to authorised users")
    .option('--port <port>', 'port (default: BREACHLINE_CODEC_PORT, else 8888)', port)
    .option('--host <host>', 'address to bind (default: BREACHLINE_CODEC_HOST, else 127.0.0.1)')
    .option('--state-file <path>', "the running demo's state file, for its embedded Vault (default .breachline/run.json)")
    .action(async (opts: { port?: number; host?: string; stateFile?: string }) => {
      const config = loadConfig();
      const settings = config.temporal.codec;
      if (settings.tokens.length === 0) throw new ConfigError(['no codec endpoint token: set BREACHLINE_CODEC_TOKENS to [{"user":"<Slack user id>","token":"<secret of 16+ characters>"}]']);
      let vault = config.vault.address !== undefined && config.vault.token !== undefined ? { address: config.vault.address, token: config.vault.token, transitMount: config.vault.transitMount, transitKey: settings.transitKey } : undefined;
      if (!vault) {
        const state = await readRunState(opts.stateFile ?? defaultStateFile()).catch(() => undefined);
        if (state?.vault && state.codec) vault = { ...state.vault, transitMount: state.codec.transitMount, transitKey: state.codec.transitKey };
      }
      if (!vault) throw new ConfigError(['no Vault to unwrap data keys with: set BREACHLINE_VAULT_ADDRESS and BREACHLINE_VAULT_TOKEN (or run it beside `breachline start`)']);
      const logger = createLogger({ name: 'breachline-codec', level: config.logLevel, destination: process.stderr, secretValues: [...collectSecretValues(config)] });
      const secrets = createVaultSecrets({ address: vault.address, token: vault.token, transitMount: vault.transitMount, logger: logger.child({ adapter: 'vault' }) });
      const server = await startCodecServer({
        codec: createPayloadCodec({ ...settings, transitKey: vault.transitKey }, secrets),
        tokens: settings.tokens,
        policy: loadPolicyEngine(join(config.runbookDir, 'policies'), config.roles),
        corsOrigins: settings.corsOrigins,
        port: opts.port ?? settings.port ?? 8888,
        host: opts.host ?? settings.host,
        logger,
      });
      process.stdout.write(`breachline codec endpoint: ${server.url} (transit key ${vault.transitKey}; CORS: ${settings.corsOrigins.join(', ') || 'none'})\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
