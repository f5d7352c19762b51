import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { failureConverterPath } from '../../src/temporal/data-converter';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietLogger, quietRuntime } from '../support/quiet-runtime';

/*
 * Workflows run for days, so a deployment meets histories written by the code it replaces. Every
 * history under test/fixtures/histories was captured from a released bundle (see
 * test/replay/capture-histories.ts); each must replay without a non-determinism error against the
 * bundle of this checkout. A behaviour change that would break a running incident fails here: put
 * it behind `patched()` (and, once no history needs the old path, `deprecatePatch()`).
 */

const DIR = join(__dirname, '..', 'fixtures', 'histories');
const ROOT = join(__dirname, '..', '..');

/** Captured histories: `<release>/<scenario>--<workflow id>.history.pb`, `/` in ids written as `~`. */
function fixtures(): Array<{ release: string; file: string; workflowId: string }> {
  const out: Array<{ release: string; file: string; workflowId: string }> = [];
  for (const release of readdirSync(DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    for (const file of readdirSync(join(DIR, release)).filter((f) => f.endsWith('.history.pb'))) {
      out.push({ release, file: join(DIR, release, file), workflowId: file.replace(/\.history\.pb$/, '').replace(/~/g, '/') });
    }
  }
  return out;
}

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  quietRuntime();
  // The main command's bundle entry: it serves the incident, clock and drill workflows, with the
  // failure converter every process uses (issue 15), which must read the plain failures of 0.2.0.
  bundle = await bundleWorkflowCode({ workflowsPath: join(ROOT, 'workflows', 'drill.ts'), failureConverterPath: failureConverterPath(), logger: quietLogger() });
});

describe('histories of earlier releases replay on this bundle', () => {
  const all = fixtures();

  it('has captured histories of every representative incident', () => {
    const scenarios = new Set(all.map((f) => f.workflowId.split('--')[0]));
    for (const s of ['normal', 'approval-wait', 'failure-retry', 'false-positive', 'drill']) expect(scenarios, s).toContain(s);
  });

  it.each(all.map((f) => ({ name: `${f.release}/${f.workflowId}`, ...f })))('$name', async ({ file, workflowId }) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(file));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: workflowId }, history, workflowId)).resolves.toBeUndefined();
  });
});
