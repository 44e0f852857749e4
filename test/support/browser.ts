import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';

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

/** Requests each context has sent and not yet seen finish, with their start times. */
const inFlight = new WeakMap<BrowserContext, Map<Request, number>>();
/** When each context last sent or saw the end of a request of the panel's JSON API. */
const lastApiActivity = new WeakMap<BrowserContext, number>();
const isPanelApi = (r: Request) => new URL(r.url()).pathname.startsWith('/admin/api/');

/**
 * Launches headless Chromium from `executablePath` with the flags this
 * environment needs. Every context it opens keeps a list of its requests in
 * flight, so that a failed step (screenshotOnFailure, pendingRequests) can say
 * which request the page was still waiting for.
 */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const browser = await chromium.launch({ executablePath, headless: true, args: LAUNCH_ARGS });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
    const context = await newContext(...args);
    const pending = new Map<Request, number>();
    inFlight.set(context, pending);
    const touch = (r: Request) => {
      if (isPanelApi(r)) lastApiActivity.set(context, Date.now());
    };
    context.on('request', (r) => (pending.set(r, Date.now()), touch(r)));
    context.on('requestfinished', (r) => (pending.delete(r), touch(r)));
    context.on('requestfailed', (r) => (pending.delete(r), touch(r)));
    return context;
  };
  return browser;
}

/**
 * Waits until the panel's JSON API has been quiet for `quietMs`: no call in
 * flight, none begun or ended lately. A list screen may ask for its rows twice
 * (first load, then again once it has put its default sort and page size in
 * the address), so rows on the screen do not yet mean the last rows; this is
 * networkidle for the calls that fill the screen, not for fonts or icons.
 */
export async function waitForPanelApiQuiet(page: Page, { quietMs = 300, timeoutMs = 30_000 } = {}): Promise<void> {
  const context = page.context();
  const pending = inFlight.get(context);
  if (!pending) throw new Error('waitForPanelApiQuiet needs a context opened by a browser from launchChromium');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = [...pending.keys()].some(isPanelApi);
    const since = Date.now() - (lastApiActivity.get(context) ?? 0);
    if (!busy && since >= quietMs) return;
    if (Date.now() > deadline) throw new Error(`the panel's API was not quiet for ${quietMs} ms within ${timeoutMs} ms; in flight: ${pendingRequests(page).join(', ') || 'none'}`);
    await new Promise((resolve) => setTimeout(resolve, busy ? 50 : quietMs - since));
  }
}

/** The page's context's requests still in flight, oldest first: "GET /admin/api/... (12.3 s)". */
export function pendingRequests(page: Page): string[] {
  const pending = inFlight.get(page.context());
  if (!pending) return [];
  const now = Date.now();
  return [...pending.entries()]
    .sort((a, b) => a[1] - b[1])
    .map(([r, at]) => `${r.method()} ${r.url().replace(/^https?:\/\/[^/]+/, '')} (${((now - at) / 1000).toFixed(1)} s)`);
}

/** Saves a full-page screenshot under /tmp for a failed step; returns its path and the requests still in flight (null when the page is gone). */
export async function screenshotOnFailure(page: Page | undefined, name: string): Promise<string | null> {
  if (!page || page.isClosed()) return null;
  const file = `/tmp/realmgate-browser-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-${Date.now()}.png`;
  const pending = pendingRequests(page);
  const waiting = pending.length ? `; requests in flight: ${pending.join(', ')}` : '; no request in flight';
  try {
    await page.screenshot({ path: file, fullPage: true });
    return file + waiting;
  } catch {
    return `(no screenshot)${waiting}`;
  }
}

/** Signs in through the panel's own form and waits until the page has left the sign-in screen. */
export async function signInToPanel(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/admin/login');
  await page.fill('[name="email"]', email);
  await page.fill('[name="password"]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), page.click('form[action="/admin/login"] button')]);
}
