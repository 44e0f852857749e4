import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { browserAvailability, launchChromium, screenshotOnFailure, waitForPanelApiQuiet } from '../support/browser.js';
import { seedDemo } from '../../src/domain/seed/seed-demo.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';
import { hashApiKey } from '../../src/domain/api-keys/api-key-secret.js';
import { consumeQuota } from '../../src/domain/quotas/consume-quota.js';
import { REALM_KINDS } from '../../src/domain/realms/realm-kinds.js';

/**
 * The custom actions in a real Chromium, as an admin uses them: generating a
 * key (its secret shown once, with Copy, and gone after a reload), resetting a
 * quota (the confirmation shows the usage; afterwards the stats say 0 used),
 * and running the realm migration to completion with its progress on screen.
 * SHOTS=1 keeps a screenshot of each step in /tmp.
 */
const availability = browserAvailability('test/browser/actions.test.ts');

const ADMIN_EMAIL = 'admin@realmgate.local';
const ADMIN_PASSWORD = 'browser-actions-admin-password';
const DEMO_PASSWORD = 'browser-actions-demo-password';

describe.skipIf(availability.skip)('custom actions in Chromium', { timeout: 120_000 }, () => {
  let t: AppDatabase;
  let app: RunningApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    t = await appDatabase('browser_actions');
    await seedDemo(t.app, SYSTEM_ACTOR, { adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD, demoPassword: DEMO_PASSWORD, withDemoData: true });
    app = await startRunningApp(t);
    browser = await launchChromium(availability.executablePath!);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  async function inBrowser(name: string, fn: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ baseURL: app.baseUrl, viewport: { width: 1400, height: 1000 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.baseUrl });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    try {
      await fn(page);
    } catch (e) {
      const shot = await screenshotOnFailure(page, name);
      if (shot && e instanceof Error) e.message += `\n(screenshot: ${shot}, at ${page.url()})`;
      throw e;
    } finally {
      await context.close();
    }
  }

  const shot = async (page: Page, name: string) => {
    if (process.env.SHOTS) await page.screenshot({ path: `/tmp/realmgate-actions-${name}.png`, fullPage: true });
  };

  async function signIn(page: Page): Promise<void> {
    await page.goto('/admin/login');
    await page.fill('[name="email"]', ADMIN_EMAIL);
    await page.fill('[name="password"]', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/admin' || u.pathname === '/admin/'), page.click('form[action="/admin/login"] button')]);
    await page.waitForSelector('[data-css="logged-in"]');
  }

  /** Opens a record's show page and clicks one of its action buttons. */
  async function recordAction(page: Page, resource: string, id: string, action: string): Promise<void> {
    await page.goto(`/admin/resources/${resource}/records/${id}/show`);
    await waitForPanelApiQuiet(page);
    await page.locator(`[data-testid="action-${action}"]`).first().click();
    await page.waitForURL((u) => u.pathname.endsWith(`/${action}`));
  }

  it('generates a key from a realm: the secret is shown once with Copy, and is gone after a reload', async () => {
    const bob = await t.db.user.findUniqueOrThrow({ where: { email: 'bob.user@acme.example' } });
    const realm = await t.db.realm.findFirstOrThrow({ where: { ownerId: bob.id, isDefault: true } });
    await inBrowser('generate-key', async (page) => {
      await signIn(page);
      await recordAction(page, 'Realm', realm.id, 'generateKey');
      await page.fill('#gk-name', 'Browser key');
      await page.fill('#gk-rpm', '120');
      await shot(page, '1-generate-form');
      await page.click('[data-testid="generate-key-submit"]');

      const value = page.locator('[data-testid="secret-once-value"]');
      await value.waitFor();
      const secret = (await value.innerText()).trim();
      expect(secret).toMatch(/^rgk_[0-9A-Za-z]{49}$/);
      await expect.poll(() => page.locator('[data-testid="secret-once"]').innerText()).toMatch(/cannot be shown again/);
      const key = await t.db.apiKey.findFirstOrThrow({ where: { name: 'Browser key' } });
      expect(key).toMatchObject({ realmId: realm.id, userId: bob.id, rateLimitPerMinute: 120, keyHash: hashApiKey(app.config.API_KEY_PEPPER, secret) });

      await page.click('[data-testid="secret-once-copy"]');
      await page.locator('[data-testid="secret-once-copy"]', { hasText: 'Copied' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      await shot(page, '2-secret-once');

      // Nothing kept it: not the page after a reload, not the key's page, not browser storage.
      await page.reload();
      await waitForPanelApiQuiet(page);
      await page.locator('[data-testid="generate-key"]').waitFor();
      expect(await page.content()).not.toContain(secret);
      expect(await page.locator('[data-testid="secret-once"]').count()).toBe(0);
      await page.goto(`/admin/resources/ApiKey/records/${key.id}/show`);
      await waitForPanelApiQuiet(page);
      await page.getByText(key.prefix).first().waitFor();
      expect(await page.content()).not.toContain(secret);
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie + location.href);
      expect(stored).not.toContain(secret);
      await shot(page, '3-key-after');
    });
  });

  it('"Create new" API key shows the secret once in the dialog and then opens the key', async () => {
    const bob = await t.db.user.findUniqueOrThrow({ where: { email: 'bob.user@acme.example' } });
    await inBrowser('new-key', async (page) => {
      await signIn(page);
      await page.goto('/admin/resources/ApiKey/actions/new');
      await page.fill('[name="name"]', 'Created from the new form');
      const owner = page.locator('[data-testid="property-edit-user"]');
      await owner.locator('input[role="combobox"]').click();
      await owner.locator('input[role="combobox"]').fill('bob');
      await page.locator('[id^="react-select-"][id*="-option-"]', { hasText: /bob/i }).first().click();
      await page.click('[data-testid="button-save"]');
      const value = page.locator('[data-testid="secret-once-value"]');
      await value.waitFor();
      const secret = (await value.innerText()).trim();
      const key = await t.db.apiKey.findFirstOrThrow({ where: { name: 'Created from the new form', userId: bob.id } });
      expect(key.keyHash).toBe(hashApiKey(app.config.API_KEY_PEPPER, secret));
      await shot(page, '4-new-key-secret');
      await page.click('[data-testid="secret-once-done"]');
      await page.waitForURL((u) => u.pathname.endsWith(`/records/${key.id}/show`));
      await waitForPanelApiQuiet(page);
      expect(await page.content()).not.toContain(secret);
    });
  });

  it('resets a quota: the confirmation shows the usage, and afterwards the stats show 0 used', async () => {
    const acme = await t.db.organization.findUniqueOrThrow({ where: { name: 'Acme Marketing' } });
    await t.db.$transaction((tx) => consumeQuota(tx, { organizationId: acme.id, subjectType: 'ORGANIZATION', subjectId: acme.id, metric: 'TOKENS', period: 'MONTHLY' }, 4321));
    const used = Number((await t.db.quotaCounter.findFirstOrThrow({ where: { subjectId: acme.id, metric: 'TOKENS', period: 'MONTHLY' }, orderBy: { periodStart: 'desc' } })).used);
    const tokensRow = (page: Page, within: string) => page.locator(`[data-testid="${within}"] [data-testid="quota-row"][data-metric="TOKENS"]`);
    await inBrowser('reset-quota', async (page) => {
      await signIn(page);
      await page.goto(`/admin/resources/Organization/records/${acme.id}/show`);
      await tokensRow(page, 'quota-usage').waitFor();
      expect(await tokensRow(page, 'quota-usage').getAttribute('data-used')).toBe(String(used));
      await shot(page, '5-org-usage-before');

      await page.locator('[data-testid="action-resetQuotas"]').first().click();
      await tokensRow(page, 'quota-reset').waitFor();
      expect(await tokensRow(page, 'quota-reset').locator('[data-testid="quota-used"]').innerText()).toContain(used.toLocaleString('en-US'));
      await shot(page, '6-reset-confirm');
      await page.click('[data-testid="quota-reset-submit"]');
      await page.locator('[data-testid="action-done"]').waitFor();
      await expect.poll(() => tokensRow(page, 'quota-reset').getAttribute('data-used')).toBe('0');
      await shot(page, '7-reset-done');

      await page.goto(`/admin/resources/Organization/records/${acme.id}/show`);
      await tokensRow(page, 'quota-usage').waitFor();
      expect(await tokensRow(page, 'quota-usage').getAttribute('data-used')).toBe('0');
      expect(await tokensRow(page, 'quota-usage').locator('[data-testid="quota-used"]').innerText()).toMatch(/^0/);
    });
  });

  it('runs the realm migration to completion: progress reaches the rows total, and no row is left without a realm', async () => {
    const withoutRealm = async () => {
      let n = 0;
      for (const k of REALM_KINDS) n += (await t.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${k.table} WHERE realm_id IS NULL`))[0]!.n;
      return n;
    };
    const legacy = await withoutRealm();
    expect(legacy).toBeGreaterThan(0);
    await inBrowser('realm-migration', async (page) => {
      await signIn(page);
      await page.goto('/admin/resources/RealmMigrationRun');
      await waitForPanelApiQuiet(page);
      await page.locator('[data-testid="action-migrateDataIntoRealms"]').first().click();
      await page.locator('[data-testid="plan-totals"]').waitFor();
      expect(await page.locator('[data-testid="plan-totals"]').innerText()).toContain(`Would move ${legacy} rows`);
      await shot(page, '8-migration-plan');

      await page.fill('#rm-batch', '1');
      await page.click('[data-testid="migration-run"]');
      const progress = page.locator('[data-testid="migration-progress"][data-status="COMPLETED"]');
      await progress.waitFor({ timeout: 60_000 });
      expect(await progress.getAttribute('data-done')).toBe(String(legacy));
      expect(await progress.getAttribute('data-total')).toBe(String(legacy));
      expect(await page.locator('[data-testid="migration-rows"]').innerText()).toBe(`${legacy} rows done of ${legacy} rows total`);
      await page.locator('[data-testid="without-realm"][data-count="0"]').waitFor();
      await shot(page, '9-migration-done');
    });
    expect(await withoutRealm()).toBe(0);
  });
});
