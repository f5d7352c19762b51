import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure, type DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../../../src/app/workers';
import type { DomainEvent } from '../../../src/domain/events';
import type { IncidentState } from '../../../src/domain/incident';
import { loadRunbookFile, type LoadedRunbook } from '../../../src/domain/runbook-loader';
import type { IncidentWorkflowInput } from '../../../src/domain/step-contract';
import { silentLogger } from '../../../src/log/logger';
import { start as startTemporal, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault';
import { renderIncidentCard } from '../../../src/slack/cards/incident-card';
import { createTemporalIncidentPort } from '../../../src/slack/commands/temporal-incidents';
import { loadPolicyEngine } from '../../../src/slack/policy/cedar-policy';
import { startCodecServer, type RunningCodecServer } from '../../../src/temporal/codec-server';
import { breachlineDataConverter } from '../../../src/temporal/data-converter';
import { ENCRYPTED_ENCODING, VaultPayloadCodec } from '../../../src/temporal/payload-codec';
import { createVaultSecrets } from '../../../src/vault';
import { eventsQuery, regulatoryClockWorkflowId, stateQuery } from '../../../workflows/api';
import { quietRuntime } from '../../support/quiet-runtime';
import { stubActivities, testAlert } from '../../unit/workflows/stub-activities';

/*
 * Issue 15: a failure's message and stack trace are history too. An activity failing with a
 * principal and a person's address in its message must leave neither on the Temporal server in
 * clear (the failure converter moves them into an encoded payload, the codec encrypts it), while
 * the operator still reads the message: in the StepFailed event, on `/ir status`'s card and
 * through the codec endpoint. A worker without our failure converter is the control: its failure
 * is readable in the same journal, so the search would have found ours.
 */

const ROOT = join(__dirname, '..', '..', '..');
const TRANSIT_KEY = 'breachline-temporal';
const PRINCIPAL = 'User:mallory-exfil-svc';
const PERSON = 'jane.roe@example.org';
const SECRET_MESSAGE = `cannot remove the ACLs of ${PRINCIPAL}: ${PERSON} still holds a session`;
const CONTROL_MESSAGE = 'control-marker-7f3a: this failure went out without the failure converter';
const COMMANDER_TOKEN = 'commander-token-failure-0123456789';

const dir = mkdtempSync(join(tmpdir(), 'breachline-failure-'));
let temporalSb: RunningTemporalSandbox;
let vault: RunningVaultSandbox;
let connection: Connection;
let native: NativeConnection;
let client: Client;
let rawClient: Client;
let bundle: WorkflowBundle;
let runbook: LoadedRunbook;
let endpoint: RunningCodecServer;

const codecOn = (v: RunningVaultSandbox): VaultPayloadCodec => new VaultPayloadCodec({ secrets: createVaultSecrets({ address: v.address, token: v.rootToken }), transitKey: TRANSIT_KEY });

beforeAll(async () => {
  quietRuntime();
  [temporalSb, vault, bundle, runbook] = await Promise.all([
    startTemporal({ dataDir: join(dir, 'temporal') }),
    startVault({}),
    bundleWorkflows(),
    loadRunbookFile(join(ROOT, 'runbooks', 'kafka-exfiltration.yaml')),
  ]);
  connection = await Connection.connect({ address: temporalSb.address });
  native = await NativeConnection.connect({ address: temporalSb.address });
  client = new Client({ connection, dataConverter: breachlineDataConverter(codecOn(vault)) });
  // What the Temporal server and anyone reading its API without the key see.
  rawClient = new Client({ connection });
  endpoint = await startCodecServer({
    codec: codecOn(vault),
    tokens: [{ user: 'UIC', token: COMMANDER_TOKEN }],
    policy: loadPolicyEngine(join(ROOT, 'runbooks', 'policies'), { UIC: 'incident-commander' }),
    corsOrigins: [],
    logger: silentLogger,
  });
}, 180_000);

afterAll(async () => {
  await endpoint?.close();
  await connection?.close().catch(() => undefined);
  await native?.close().catch(() => undefined);
  await Promise.all([temporalSb?.close(), vault?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

type Incident = (input: IncidentWorkflowInput) => Promise<IncidentState>;

/** What the operator saw of a failed incident while its worker ran. */
interface FailedIncident {
  incidentId: string;
  state: IncidentState;
  events: DomainEvent[];
  /** `/ir status`'s card, from the state read through the incident port. */
  card: string;
}

/**
 * Runs an incident whose contain step is `contain` (failing for good), on a worker with
 * `dataConverter`, until the incident needs attention; returns what the operator saw then.
 */
async function failingIncident(dataConverter: DataConverter, contain: () => Promise<never>): Promise<FailedIncident> {
  const taskQueue = `failure-${randomUUID().slice(0, 8)}`;
  const incidentId = `incident-${randomUUID().slice(0, 8)}`;
  const { activities } = stubActivities();
  const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, dataConverter, activities: { ...activities, contain } });
  const input: IncidentWorkflowInput = {
    incidentId,
    mode: 'live',
    alert: testAlert(new Date().toISOString()),
    principal: PRINCIPAL,
    runbook: runbook.runbook,
    runbookContentHash: runbook.contentHash,
  };
  return worker.runUntil(async () => {
    const handle = await client.workflow.start<Incident>('IncidentWorkflow', { taskQueue, workflowId: incidentId, args: [input] });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const state = await handle.query(stateQuery);
        if (state.attention.some((a) => a.stepId === 'contain')) {
          const card = renderIncidentCard(await createTemporalIncidentPort(client).state(incidentId), null);
          return { incidentId, state, events: await handle.query(eventsQuery), card: JSON.stringify(card) };
        }
        if (Date.now() > deadline) throw new Error(`contain never needed attention: ${JSON.stringify(state.steps.map((s) => `${s.id}:${s.status}`))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await handle.terminate('test done').catch(() => undefined);
      for (const regime of Object.keys(runbook.runbook.regimes)) await client.workflow.getHandle(regulatoryClockWorkflowId(incidentId, regime)).terminate('test done').catch(() => undefined);
    }
  });
}

// Named so that their frames in a stack trace are recognisable in the journal.
async function containLeakingPrincipal(): Promise<never> {
  throw ApplicationFailure.create({ type: 'KafkaAuthorizationFailed', message: SECRET_MESSAGE, nonRetryable: true });
}
async function containControl(): Promise<never> {
  throw ApplicationFailure.create({ type: 'KafkaAuthorizationFailed', message: CONTROL_MESSAGE, nonRetryable: true });
}

/** Every file under `path`. */
function files(path: string): string[] {
  return statSync(path).isDirectory() ? readdirSync(path).flatMap((f) => files(join(path, f))) : [path];
}

/** The journal as a reader sees it: raw, and every base64 run decoded twice (bytes inside bytes). */
function readableJournal(): string {
  const decode = (s: string): string => (s.match(/[A-Za-z0-9+/]{16,}={0,2}/g) ?? []).map((run) => Buffer.from(run, 'base64').toString('latin1')).join('\n');
  const text = files(join(dir, 'temporal')).map((f) => readFileSync(f, 'utf8')).join('\n');
  const once = decode(text);
  return `${text}\n${once}\n${decode(once)}`;
}

/** The final ActivityTaskFailed failure of `workflowId`, as the server holds it. */
async function storedFailure(workflowId: string): Promise<temporal.api.failure.v1.IFailure> {
  const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
  const failed = (history.events ?? []).find((e) => e.activityTaskFailedEventAttributes);
  const failure = failed?.activityTaskFailedEventAttributes?.failure;
  if (!failure) throw new Error(`no ActivityTaskFailed in ${workflowId}`);
  return failure;
}

const b64 = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? new Uint8Array()).toString('base64');

describe('an activity failure carrying a principal and personal data', () => {
  let secret: FailedIncident;
  let control: FailedIncident;

  beforeAll(async () => {
    secret = await failingIncident(breachlineDataConverter(codecOn(vault)), containLeakingPrincipal);
    // The control: payload encryption but the SDK's default failure converter.
    control = await failingIncident({ payloadCodecs: [codecOn(vault)] }, containControl);
  }, 120_000);

  it('reaches the operator decoded: the StepFailed event, the attention list and the /ir status card', async () => {
    const failed = secret.events.find((e) => e.type === 'StepFailed');
    expect(failed?.data).toMatchObject({ stepId: 'contain', error: { type: 'KafkaAuthorizationFailed', message: expect.stringContaining(SECRET_MESSAGE) } });
    expect(secret.state.attention.find((a) => a.stepId === 'contain')?.message).toContain(SECRET_MESSAGE);
    expect(secret.card).toContain(PERSON);
  });

  it('is stored encrypted: the server keeps the encoded attributes, not the message or the stack', async () => {
    const failure = await storedFailure(secret.incidentId);
    expect(failure.message).not.toContain(PRINCIPAL);
    expect(failure.stackTrace ?? '').not.toContain('containLeakingPrincipal');
    expect(Buffer.from(failure.encodedAttributes?.metadata?.encoding ?? new Uint8Array()).toString()).toBe(ENCRYPTED_ENCODING);
    // The type stays readable: retry policies and operators branch on it, and it names no one.
    expect(failure.applicationFailureInfo?.type).toBe('KafkaAuthorizationFailed');
    // The control's failure is plain, as the SDK writes it by default.
    expect((await storedFailure(control.incidentId)).message).toContain(CONTROL_MESSAGE);
  });

  it('leaves nothing of the failure readable in the Temporal journal', () => {
    const seen = readableJournal();
    // The search reads what it should: the control failure is there in clear.
    expect(seen).toContain(CONTROL_MESSAGE);
    expect(seen).toContain('containControl');
    expect(seen).toContain(secret.incidentId);
    expect([PRINCIPAL, 'mallory-exfil-svc', PERSON, 'containLeakingPrincipal'].filter((n) => seen.includes(n))).toEqual([]);
  });

  it('the codec endpoint decodes the stored failure attributes for an authorised user', async () => {
    const failure = await storedFailure(secret.incidentId);
    const payload = { metadata: Object.fromEntries(Object.entries(failure.encodedAttributes?.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(failure.encodedAttributes?.data) };
    const res = await fetch(`${endpoint.url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${COMMANDER_TOKEN}` }, body: JSON.stringify({ payloads: [payload] }) });
    expect(res.status).toBe(200);
    const [decoded] = ((await res.json()) as { payloads: Array<{ data: string }> }).payloads;
    const attributes = JSON.parse(Buffer.from(decoded!.data, 'base64').toString('utf8')) as { message: string; stack_trace: string };
    expect(attributes.message).toBe(SECRET_MESSAGE);
    expect(attributes.stack_trace).toContain('containLeakingPrincipal');
  });
});
