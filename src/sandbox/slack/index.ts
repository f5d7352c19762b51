import type { RunningSandbox, SandboxStartOptions } from '../types';

/** Starts the slack sandbox. Placeholder until the server lands. */
export async function start(_options: SandboxStartOptions = {}): Promise<RunningSandbox> {
  throw new Error('the slack sandbox is not built yet');
}
