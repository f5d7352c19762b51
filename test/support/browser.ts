import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Path of the system Chromium the browser tests drive (`.ci/run` installs it from Debian's packages). */
export function chromiumPath(): string {
  return process.env.BREACHLINE_CHROMIUM ?? '/usr/bin/chromium';
}

/**
 * Launches the system Chromium through playwright-core. A missing browser is a failure with the
 * way to fix it, never a skip: a suite that silently stops testing the console proves nothing.
 */
export async function launchSystemChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`No Chromium at ${executablePath}: install it (apt-get install chromium, as .ci/run does) or point BREACHLINE_CHROMIUM at one.`);
  }
  // playwright-core gives every launch a fresh, throwaway user-data-dir of its own (it refuses the
  // flag), and each context in it is a separate cookie jar: one per signed-in user.
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
