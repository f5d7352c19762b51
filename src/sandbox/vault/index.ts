import type { RunningSandbox, SandboxStartOptions } from '../types';

/** Starts the vault sandbox. Placeholder until the server lands. */
export async function start(_options: SandboxStartOptions = {}): Promise<RunningSandbox> {
  throw new Error('the vault sandbox is not built yet');
}
