/**
 * A real browser for the tests that only a browser can make: CORS is enforced by
 * browsers alone, and a page is only seen in one. Debian's Chromium (or the one
 * CHROMIUM_PATH names), driven by playwright-core; no browser is downloaded.
 */
import * as fs from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary the tests drive, if this machine has one. */
export const CHROMIUM_PATH: string | undefined = process.env.CHROMIUM_PATH || CANDIDATES.find((candidate) => fs.existsSync(candidate));

/**
 * True when a browser can run here. Without one, says so loudly and returns false
 * (the browser tests are then skipped); with REQUIRE_BROWSER set (CI) that is
 * a failure instead, since these tests are what proves CORS and the console page.
 */
export function browserRunnable(): boolean {
  if (CHROMIUM_PATH) return true;
  const message = `!!! No Chromium found (looked for ${CANDIDATES.join(', ')}; CHROMIUM_PATH names another): the browser tests are NOT run. Install it (Debian: apt-get install chromium).`;
  if (process.env.REQUIRE_BROWSER) throw new Error(message);
  console.warn(message);
  return false;
}

/**
 * Launches headless Chromium with a fresh profile (playwright removes it on close).
 * The flags keep it off the network beyond what a test opens: this machine refuses
 * outside connections, and Chromium would otherwise try many at every start.
 */
export function launchBrowser(): Promise<Browser> {
  if (!CHROMIUM_PATH) throw new Error('No Chromium: call browserRunnable() first.');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
