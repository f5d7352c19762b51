import { quietLogger, quietRuntime } from '../../support/quiet-runtime';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { expect } from 'vitest';
import { join } from 'node:path';

/** Bundles the conformance workflows (once per test file). */
export async function bundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: join(__dirname, 'workflows', 'index.ts'), logger: quietLogger() });
}

export { quietRuntime };

/** A unique id for a test's workflow. */
export function uid(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Connects a client and a worker connection to the sandbox. */
export async function connect(address: string): Promise<{ client: Client; connection: Connection; native: NativeConnection }> {
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  return { client: new Client({ connection }), connection, native };
}

/**
 * Replays every history the server holds with the workflow bundle; a malformed or
 * nondeterministic history fails the test. Returns how many were replayed.
 */
export async function replayAll(client: Client, workflowBundle: WorkflowBundleWithSourceMap, query?: string): Promise<number> {
  let count = 0;
  const failures: string[] = [];
  const histories = client.workflow.list(query ? { query } : undefined).intoHistories();
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'conformance' }, histories)) {
    count++;
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failures).toEqual([]);
  return count;
}
