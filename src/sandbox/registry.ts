import { start as startKafka } from './kafka/index';
import { start as startSlack } from './slack/index';
import { start as startTemporal } from './temporal/index';
import type { RunningSandbox, SandboxName, SandboxStartOptions } from './types';
import { start as startVault } from './vault/index';

/** How each sandbox is started (design §4: each startable alone). */
export const SANDBOX_STARTERS: Readonly<Record<SandboxName, (options: SandboxStartOptions) => Promise<RunningSandbox>>> = {
  temporal: startTemporal,
  kafka: startKafka,
  vault: startVault,
  slack: startSlack,
};
