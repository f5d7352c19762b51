import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENV_VARS, loadConfig } from '../../src/config/config';

/**
 * docker-compose.yml cannot run here, so its companion files are checked against the schema
 * instead: deploy/breachline.env (the secured path: TLS + mTLS + SCRAM to Kafka, Vault AppRole) must
 * load without a problem, every variable it names (commented ones too) must exist, and the keystore
 * password and secret_id file must agree between the compose file, the scripts and the env file.
 */
const root = join(__dirname, '..', '..');
const envFile = readFileSync(join(root, 'deploy', 'breachline.env'), 'utf8');

function assignments(text: string, includeComments: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    const m = /^(#\s*)?(BREACHLINE_[A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m || (m[1] && !includeComments)) continue;
    out.push([m[2] as string, (m[3] as string).replace(/^'(.*)'$/, '$1')]);
  }
  return out;
}

describe('deploy/breachline.env and docker-compose.yml', () => {
  it('the env file loads cleanly (its named files exist once generate.sh and vault-init ran)', () => {
    const env = Object.fromEntries(assignments(envFile, false));
    const named: string[] = [];
    const config = loadConfig({ env, readFile: (p) => (named.push(p), 'PEM') });
    expect(config.kafka).toMatchObject({ caFile: 'deploy/pki/out/ca.crt', certFile: 'deploy/pki/out/breachline.crt', keyFile: 'deploy/pki/out/breachline.key' });
    expect(config.vault).toMatchObject({ authMethod: 'approle', roleId: 'breachline-dev-role-id', secretIdFile: 'deploy/secrets/vault-secret-id' });
    expect(named.sort()).toEqual(['deploy/pki/out/breachline.crt', 'deploy/pki/out/breachline.key', 'deploy/pki/out/ca.crt', 'deploy/secrets/vault-secret-id']);
  });

  it('names only variables breachline reads', () => {
    const known = new Set(ENV_VARS.map(([n]) => n));
    const unknown = assignments(envFile, true).map(([n]) => n).filter((n) => !known.has(n));
    expect(unknown).toEqual([]);
  });

  it('agrees with the compose file and the scripts', () => {
    const compose = parseYaml(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { environment?: Record<string, string>; volumes?: string[] }> };
    const kafka = compose.services.kafka;
    expect(kafka?.volumes).toContain('./deploy/pki/out:/breachline/pki:ro');
    expect(readFileSync(join(root, 'deploy', 'pki', 'generate.sh'), 'utf8')).toContain(`:-${kafka?.environment?.KAFKA_KEYSTORE_PASSWORD}}`);
    expect(envFile).toContain(`BREACHLINE_KAFKA_PASSWORD=${kafka?.environment?.BREACHLINE_KAFKA_PASSWORD}`);
    expect(compose.services['vault-init']?.volumes).toContain('./deploy/secrets:/breachline/secrets');
    expect(readFileSync(join(root, 'deploy', 'vault', 'init.sh'), 'utf8')).toContain('role_id=breachline-dev-role-id');
  });

  it('the README lists every variable breachline reads', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    // The tables abbreviate a pair as `BREACHLINE_X_USERNAME` / `_PASSWORD`.
    const listed = (name: string): boolean =>
      readme.includes(name) || readme.split('\n').some((line) => {
        const system = name.slice(0, name.indexOf('_', 'BREACHLINE_'.length) + 1);
        const suffixes = [...line.matchAll(/`(_[A-Z0-9_]+)`/g)].map((m) => m[1] as string);
        return line.includes(`\`${system}`) && suffixes.some((suffix) => name.endsWith(suffix));
      });
    expect(ENV_VARS.map(([n]) => n).filter((n) => !listed(n))).toEqual([]);
  });
});
