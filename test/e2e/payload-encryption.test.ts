import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows } from '../../src/app/workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { loadRunbookFile, type LoadedRunbook } from '../../src/domain/runbook-loader';
import { silentLogger } from '../../src/log/logger';
import { clientAt } from '../../src/sandbox/scenario/trading-exfiltration/orders';
import { seedTradingExfiltration, type TradingScenario } from '../../src/sandbox/scenario/trading-exfiltration';
import type { RunningVaultSandbox } from '../../src/sandbox/vault';
import { loadPolicyEngine } from '../../src/slack/policy/cedar-policy';
import { startCodecServer, type RunningCodecServer } from '../../src/temporal/codec-server';
import { breachlineDataConverter } from '../../src/temporal/data-converter';
import { CODEC_METADATA, ENCRYPTED_ENCODING, VaultPayloadCodec } from '../../src/temporal/payload-codec';
import { createVaultSecrets } from '../../src/vault';
import { exfiltrationAlert, ROOT, startSandboxes, type Sandboxes } from './helpers';
import { checkLiveIncident } from './scenario-checks';

/*
 * Issue 15, item 5: a whole incident on the sandboxes with payload encryption on, then the bytes
 * the Temporal sandbox journalled are searched for everything the scenario would reveal (alert,
 * principals, service accounts, client personal data, passwords, filings). The codec endpoint
 * decodes the same history for an authorised user only, across every rotated data key; encrypted
 * and 0.2.0 (plaintext) histories both replay through the codec.
 */

const TRANSIT_KEY = 'breachline-temporal';
const LIVE_ID = 'enc-live';
const ORIGIN = 'http://localhost:8233';
const TOKENS = { commander: 'commander-token-0123456789', observer: 'observer-token-0123456789', stranger: 'stranger-token-0123456789' };

const dir = mkdtempSync(join(tmpdir(), 'breachline-codec-'));
let bundle: WorkflowBundle;
let runbook: LoadedRunbook;
let sb: Sandboxes;
let scenario: TradingScenario;
let worker: Worker;
let running: Promise<void>;
let workerCodec: VaultPayloadCodec;
let endpoint: RunningCodecServer;

/** A codec as another process would build it: its own data keys, the shared Vault transit key. */
const codecOn = (vault: RunningVaultSandbox, rotateAfterPayloads?: number): VaultPayloadCodec =>
  new VaultPayloadCodec({ secrets: createVaultSecrets({ address: vault.address, token: vault.rootToken }), transitKey: TRANSIT_KEY, ...(rotateAfterPayloads ? { rotateAfterPayloads } : {}) });
/** The converter of every breachline process: the codec, and failures as encoded payloads it encrypts. */
const converter = (codec: VaultPayloadCodec): DataConverter => breachlineDataConverter(codec);

beforeAll(async () => {
  // The main command's bundle (workflows/drill.ts re-exports the playbook's): the 0.2.0 histories include a drill.
  [bundle, runbook] = await Promise.all([bundleWorkflows(), loadRunbookFile(join(ROOT, 'runbooks', 'kafka-exfiltration.yaml'))]);
  sb = await startSandboxes({ temporalDataDir: join(dir, 'temporal'), dataConverter: (vault) => converter(codecOn(vault)) });
  scenario = await seedTradingExfiltration({ kafka: sb.admin, secrets: sb.secrets, volume: 'test', attacker: 'committing', vault: { address: sb.vault.address, token: sb.vault.rootToken } });
  // The worker rotates its data key every 40 payloads, so one incident spans several keys.
  workerCodec = codecOn(sb.vault, 40);
  worker = await Worker.create({ connection: sb.native, taskQueue: 'e2e-encrypted', workflowBundle: bundle, activities: createActivities(sb.deps), dataConverter: converter(workerCodec) });
  running = worker.run();
  endpoint = await startCodecServer({
    codec: codecOn(sb.vault),
    tokens: [
      { user: 'UIC', token: TOKENS.commander },
      { user: 'UOBS', token: TOKENS.observer },
      { user: 'UNOBODY', token: TOKENS.stranger },
    ],
    policy: loadPolicyEngine(join(ROOT, 'runbooks', 'policies'), { UIC: 'incident-commander', UOBS: 'observer' }),
    corsOrigins: [ORIGIN],
    logger: silentLogger,
  });
}, 180_000);

afterAll(async () => {
  await endpoint?.close();
  worker?.shutdown();
  await running?.catch(() => undefined);
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every file under `path`. */
function files(path: string): string[] {
  return statSync(path).isDirectory() ? readdirSync(path).flatMap((f) => files(join(path, f))) : [path];
}

const BASE64_RUN = /[A-Za-z0-9+/]{16,}={0,2}/g;

/**
 * What a reader of the journal sees: the raw text, and every base64 run in it decoded (the
 * journal keeps history events as base64 protobuf), twice, so bytes nested in bytes show too.
 */
function readable(text: string): string {
  const decode = (s: string): string => (s.match(BASE64_RUN) ?? []).map((run) => Buffer.from(run, 'base64').toString('latin1')).join('\n');
  const once = decode(text);
  return `${text}\n${once}\n${decode(once)}`;
}

/** The scenario's secrets and personal data: none may be readable from the journal. */
function needles(): string[] {
  const alert = exfiltrationAlert();
  const clients = Array.from({ length: 20 }, (_, i) => clientAt(i)).flatMap((c) => [c.name, c.email, c.accountId]);
  const passwords = Object.values(scenario.accounts).map((a) => a.password);
  return [
    alert.title,
    alert.rule,
    `User:${scenario.compromised}`,
    scenario.compromised,
    ...Object.keys(scenario.accounts),
    scenario.attackerGroup,
    ...clients,
    ...passwords,
    'CNIL',
    `E2E-1-gdpr`,
    'supervisory-authority',
  ];
}

/** Every payload of a history, found by shape (an object with `metadata.encoding`). */
function payloadsOf(history: temporal.api.history.v1.IHistory): temporal.api.common.v1.IPayload[] {
  const out: temporal.api.common.v1.IPayload[] = [];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return;
    const o = v as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'encoding' in (o.metadata as object)) out.push(o as temporal.api.common.v1.IPayload);
    for (const x of Object.values(o)) walk(x);
  };
  walk(history);
  return out;
}

async function historyOf(workflowId: string): Promise<temporal.api.history.v1.IHistory> {
  const res = await sb.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
  return res.history ?? {};
}

const toJson = (p: temporal.api.common.v1.IPayload): unknown => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

async function post(path: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${endpoint.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}


/** What follows each `json/plain` encoding in the readable journal (one payload's worth). */
function clearPayloads(seen: string): string[] {
  const out: string[] = [];
  for (let at = seen.indexOf('json/plain'); at >= 0; at = seen.indexOf('json/plain', at + 1)) out.push(seen.slice(at, at + 120));
  return out;
}

/** A patch marker or TemporalChangeVersion: the patch ids of workflows/ only. */
const PATCH_MARKER = /^json\/plain[\s\S]{0,40}?(\{"id":"|\[")(continue-as-new-v1|forensics-fanout-v1|evidence-chunks-v1)"/;

describe('a full incident with payload encryption on', () => {
  it('runs to the end with every verification of the playbook', async () => {
    await checkLiveIncident({ sb, scenario, runbook, taskQueue: 'e2e-encrypted' }, LIVE_ID);
  }, 240_000);

  it('leaves nothing of the incident readable in the Temporal journal', () => {
    const journal = files(join(dir, 'temporal')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const seen = readable(journal);
    // The search reads what it should: ids are in clear by design, encrypted payloads are there.
    expect(seen).toContain(LIVE_ID);
    expect(seen).toContain(ENCRYPTED_ENCODING);
    expect(seen).toContain(TRANSIT_KEY);
    // And it would find a plaintext payload had one been stored.
    expect(readable(Buffer.from(JSON.stringify({ title: exfiltrationAlert().title })).toString('base64'))).toContain(exfiltrationAlert().title);
    expect(needles().filter((n) => seen.includes(n))).toEqual([]);
    // The only payloads in clear are the SDK's own patch markers and the TemporalChangeVersion search
    // attribute, which name a patch of our workflow code (e.g. "continue-as-new-v1") and nothing else.
    expect(clearPayloads(seen).filter((text) => !PATCH_MARKER.test(text))).toEqual([]);
    expect(workerCodec.dataKeysIssued).toBeGreaterThan(1);
  });

  it('the codec endpoint decodes the history for an authorised user, across every rotated data key', async () => {
    const payloads = payloadsOf(await historyOf(LIVE_ID));
    const keys = new Set(payloads.map((p) => Buffer.from(p.metadata?.[CODEC_METADATA.keyId] ?? new Uint8Array()).toString()));
    expect(keys.size).toBeGreaterThan(1);
    const res = await post('/decode', { payloads: payloads.map(toJson) }, TOKENS.commander, { origin: ORIGIN, 'x-namespace': 'default' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const decoded = res.body.payloads as Array<{ metadata: Record<string, string>; data: string }>;
    expect(decoded).toHaveLength(payloads.length);
    expect(decoded.every((p) => Buffer.from(p.metadata.encoding ?? '', 'base64').toString() !== ENCRYPTED_ENCODING)).toBe(true);
    const text = decoded.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
    expect(text).toContain(exfiltrationAlert().title);
    expect(text).toContain(`User:${scenario.compromised}`);
  });

  it('refuses to decode without a token, with an unknown one, or for a role the policies do not allow', async () => {
    const [first] = payloadsOf(await historyOf(LIVE_ID));
    const body = { payloads: [toJson(first!)] };
    const none = await post('/decode', body);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await post('/decode', body, 'not-a-token-of-anyone-at-all')).status).toBe(401);
    for (const token of [TOKENS.observer, TOKENS.stranger]) {
      const refused = await post('/decode', body, token);
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).not.toContain(exfiltrationAlert().title);
    }
    // Only the commander may encode (what the UI sends as signal or workflow input).
    const input = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64') }] };
    expect((await post('/encode', input, TOKENS.observer)).status).toBe(403);
    const encoded = await post('/encode', input, TOKENS.commander);
    expect(encoded.status).toBe(200);
    expect(Buffer.from((encoded.body.payloads as Array<{ metadata: Record<string, string> }>)[0]!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
  });

  it('answers bad input precisely and CORS only for the configured origin', async () => {
    expect((await post('/decode', '{nope', TOKENS.commander)).status).toBe(400);
    const bad = await post('/decode', { payloads: [{ data: '***' }] }, TOKENS.commander);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('payloads[0].data');
    expect((await post('/other', {}, TOKENS.commander)).status).toBe(404);
    const tampered = await post('/decode', { payloads: [{ metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING).toString('base64'), [CODEC_METADATA.cipher]: Buffer.from('AES-256-GCM').toString('base64'), [CODEC_METADATA.transitKey]: Buffer.from(TRANSIT_KEY).toString('base64') }, data: '' }] }, TOKENS.commander);
    expect(tampered.status).toBe(422);
    const preflight = await fetch(`${endpoint.url}/decode`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const foreign = await fetch(`${endpoint.url}/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('replays every encrypted history through the codec', async () => {
    const failures: string[] = [];
    let count = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'encrypted', dataConverter: converter(codecOn(sb.vault)) }, sb.client.workflow.list().intoHistories())) {
      count++;
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(2);
  });
});

describe('histories of release 0.2.0 (written in clear)', () => {
  it('replay through the codec unchanged', async () => {
    const base = join(ROOT, 'test', 'fixtures', 'histories', '0.2.0');
    const names = readdirSync(base).filter((f) => f.endsWith('.history.pb'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const history = temporal.api.history.v1.History.decode(readFileSync(join(base, name)));
      const workflowId = name.replace(/\.history\.pb$/, '').replace(/~/g, '/');
      await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: workflowId, dataConverter: converter(codecOn(sb.vault)) }, history, workflowId), name).resolves.toBeUndefined();
    }
  }, 120_000);
});
