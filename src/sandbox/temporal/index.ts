import type { RunningSandbox, SandboxStartOptions } from '../types';

/** Starts the temporal sandbox. Placeholder until the server lands. */
export async function start(_options: SandboxStartOptions = {}): Promise<RunningSandbox> {
  throw new Error('the temporal sandbox is not built yet');
}
