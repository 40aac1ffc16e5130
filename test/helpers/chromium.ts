import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import puppeteer from 'puppeteer-core';

/** Debian's `chromium` package, which `.ci/run` installs. */
export const CHROMIUM = process.env['COALMINE_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * The Chromium binary, or undefined. A test that needs it skips loudly on a developer machine
 * without it, and fails under CI=true, where `.ci/run` installs it.
 */
export function chromium(): string | undefined {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const how = 'apt-get install --no-install-recommends chromium';
  if (process.env['CI'] === 'true')
    throw new Error(`Chromium is required under CI=true (${CHROMIUM}; ${how})`);
  console.warn(`\n*** SKIPPING browser tests: no Chromium at ${CHROMIUM} (${how}) ***\n`);
  return undefined;
}

/**
 * Headless Chromium with a fresh profile, kept off the network: without the background
 * networking flags it reaches out to Google hosts on start, which this machine cannot reach.
 */
export async function launchChromium(
  executablePath: string,
): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'coalmine-chromium-'));
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir: profile,
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
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
