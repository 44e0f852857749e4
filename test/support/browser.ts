import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Browser tests drive Debian's chromium through playwright-core
 * (`npx playwright install` downloads nothing here). Where no chromium is
 * found, the suite is skipped with a loud line so that `npm test` passes on a
 * fresh machine, unless REQUIRE_BROWSER=1 (CI sets it): then it fails.
 */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const INSTALL_HINT = 'Install one with `sudo apt-get install chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.';

/** The chromium binary to drive: CHROMIUM_PATH, then `command -v chromium`, then the usual places; null when none. */
export function findChromium(): string | null {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) return isExecutable(explicit) ? explicit : null;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (found && isExecutable(found)) return found;
    } catch {
      // not on PATH
    }
  }
  return CANDIDATES.find(isExecutable) ?? null;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export const browserRequired = (): boolean => process.env.REQUIRE_BROWSER === '1';

export interface BrowserAvailability {
  executablePath: string | null;
  /** True when the suite should be skipped (no browser, not required). */
  skip: boolean;
}

/**
 * Decides, at collection time, whether a browser suite runs. Without a browser:
 * REQUIRE_BROWSER=1 throws (the suite fails with this message), otherwise a
 * loud line goes to the console and the caller skips the suite.
 */
export function browserAvailability(suite: string): BrowserAvailability {
  const executablePath = findChromium();
  if (executablePath) return { executablePath, skip: false };
  const message = `No Chromium found for the browser tests (${suite}). ${INSTALL_HINT}`;
  if (browserRequired()) throw new Error(`${message} REQUIRE_BROWSER=1 is set, so this fails the run.`);
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n!! SKIPPED: ${message}\n${bar}\n`);
  return { executablePath: null, skip: true };
}

/** Launches headless Chromium from `executablePath` with the flags this environment needs. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: LAUNCH_ARGS });
}

/** Saves a full-page screenshot under /tmp for a failed step; returns its path (or null if that failed too). */
export async function screenshotOnFailure(page: Page | undefined, name: string): Promise<string | null> {
  if (!page || page.isClosed()) return null;
  const file = `/tmp/realmgate-browser-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-${Date.now()}.png`;
  try {
    await page.screenshot({ path: file, fullPage: true });
    return file;
  } catch {
    return null;
  }
}
