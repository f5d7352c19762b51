import type { RunningSandbox, SandboxStartOptions } from '../types';

/** Starts the kafka sandbox. Placeholder until the server lands. */
export async function start(_options: SandboxStartOptions = {}): Promise<RunningSandbox> {
  throw new Error('the kafka sandbox is not built yet');
}
