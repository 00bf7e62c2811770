/**
 * Headless Debian Chromium through playwright-core, for the checkout tests. (Uses test/helpers/browser.ts
 * once it exists; until then the same launch options, here.)
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: run "apt-get update && apt-get install -y --no-install-recommends chromium"`,
    );
  }
  return chromium.launch({
    executablePath,
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
