import type { Logger } from '../log/logger';

/** Names of the wire-compatible stand-ins under `src/sandbox/`. */
export const SANDBOX_NAMES = ['temporal', 'kafka', 'vault', 'slack'] as const;
/** One of {@link SANDBOX_NAMES}. */
export type SandboxName = (typeof SANDBOX_NAMES)[number];

/** Options every sandbox server accepts (design §4). */
export interface SandboxStartOptions {
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; 0 picks a free one. @default 0 */
  port?: number;
  /** Directory for the server's journal; absent means in memory only. */
  dataDir?: string;
  /** @default silentLogger */
  logger?: Logger;
}

/** A started sandbox server, as the CLI and the main command see it. */
export interface RunningSandbox {
  readonly name: SandboxName;
  /** Primary address a real client connects to (`host:port` or a URL). */
  readonly address: string;
  /** Everything a standard client needs to connect (addresses and credentials), printable as JSON. */
  readonly connection: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /** Stops accepting connections and releases the port; flushes the journal. */
  close(): Promise<void>;
}
