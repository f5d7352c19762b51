import { Runtime } from '@temporalio/worker';

/**
 * The worker runtime logs to the console by default; tests only want their own failures. Installs
 * a silent logger once per process (a second install throws, and the first one already holds).
 */
export function quietRuntime(): void {
  try {
    Runtime.install({ logger: quietLogger() });
  } catch {
    // Already installed in this process.
  }
}

/** A Temporal runtime logger that drops everything. */
export function quietLogger() {
  const noop = (): void => undefined;
  return { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
}
