import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { createWorld, type World } from '../support/admin-fixtures.js';
import { TEST_PASSWORD } from '../support/factories.js';
import { browserAvailability, launchChromium, screenshotOnFailure, signInToPanel } from '../support/browser.js';

/**
 * Issue #11 in Chromium, with small data: the usage list (keyset pages, the
 * totals line, a filter from the URL as the filter drawer sets it), the audit
 * list and the dashboard, as a superadmin and as an org admin: rows shown,
 * scope kept, no page error and no failed request.
 */
const availability = browserAvailability('test/browser/ledger-screens.test.ts');

describe.skipIf(availability.skip)('usage, audit and dashboard screens in Chromium', { timeout: 120_000 }, () => {
  let t: AppDatabase;
  let app: RunningApp;
  let browser: Browser;
  let world: World;
  let owner: pg.Client;
  let orgBName: string;

  beforeAll(async () => {
    t = await appDatabase('browser_ledger');
    world = await createWorld(t.db);
    owner = new pg.Client({ connectionString: t.url });
    await owner.connect();
    await owner.query(`SET app.role = 'system'`);
    // 60 rows for org A (two users: 30 each), 5 for org B; rollups as the hot path keeps them; audit rows for both.
    await owner.query(
      `INSERT INTO usage_events (organization_id, user_id, occurred_at, input_tokens, output_tokens, total_tokens, requests)
       SELECT CASE WHEN i <= 60 THEN $1::uuid ELSE $2::uuid END,
              CASE WHEN i <= 60 THEN (CASE WHEN i % 2 = 0 THEN $3::uuid ELSE $4::uuid END) ELSE $5::uuid END,
              now() - i * interval '1 hour', 10, 5, 15, 1
         FROM generate_series(1, 65) i`,
      [world.orgA.id, world.orgB.id, world.user.id, world.peer.id, world.userB.id],
    );
    await owner.query(`INSERT INTO usage_daily_rollups (organization_id, day, model_id, user_id, api_key_id, input_tokens, output_tokens, total_tokens, requests, events)
                       SELECT organization_id, (occurred_at AT TIME ZONE 'UTC')::date, model_id, user_id, api_key_id, sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(requests), count(*)
                         FROM usage_events GROUP BY 1, 2, 3, 4, 5`);
    await owner.query(`SELECT rg_refresh_usage_coarse_rollups(min(day), max(day)) FROM usage_daily_rollups`);
    await owner.query(`INSERT INTO audit_logs (organization_id, action, resource, record_id, occurred_at) SELECT $1, 'create', 'ApiKey', i::text, now() - i * interval '1 minute' FROM generate_series(1, 12) i`, [world.orgA.id]);
    // Org B's one audit row names org B (the record column shows a record's name, never its id).
    await owner.query(`INSERT INTO audit_logs (organization_id, action, resource, record_id) VALUES ($1, 'organization.update', 'Organization', $2)`, [world.orgB.id, world.orgB.id]);
    orgBName = (await owner.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [world.orgB.id])).rows[0]!.name;
    app = await startRunningApp(t);
    browser = await launchChromium(availability.executablePath!);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await owner?.end();
    await app?.close();
    await t?.drop();
  });

  async function signedIn(email: string, run: (page: Page) => Promise<void>, name: string): Promise<void> {
    const context = await browser.newContext({ baseURL: app.baseUrl });
    const page = await context.newPage();
    page.setDefaultTimeout(120_000); // the first page waits for the development bundle of the components
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // A failed load is caught by the response listener with its URL (the browser's own favicon probe is not a page request).
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
    try {
      await signInToPanel(page, email, TEST_PASSWORD);
      await run(page);
      expect(problems).toEqual([]);
    } catch (e) {
      const shot = await screenshotOnFailure(page, name);
      if (shot && e instanceof Error) e.message += `\n(screenshot: ${shot})`;
      throw e;
    } finally {
      await context.close();
    }
  }

  const rows = (page: Page, resource: string) => page.locator(`[data-css="${resource}-table-row"]`);

  /** Waits until the list shows exactly `n` rows (the ledger list replaces its rows when a page arrives). */
  async function expectRows(page: Page, resource: string, n: number): Promise<void> {
    await page.waitForFunction(([css, want]) => document.querySelectorAll(`[data-css="${css}-table-row"]`).length === want, [resource, n] as const);
    expect(await rows(page, resource).count()).toBe(n);
  }

  it('as a superadmin: every organization, keyset pages, a filter, totals, the audit log and the dashboard', async () => {
    await signedIn(world.superadmin.email, async (page) => {
      await page.goto('/admin/resources/UsageEvent');
      await page.waitForSelector('[data-testid="ledger-list"]');
      await expectRows(page, 'UsageEvent', 50);
      await expect.poll(() => page.locator('[data-testid="ledger-totals"]').innerText(), { timeout: 20_000 }).toMatch(/65 matching · 975 tokens · 65 requests/);
      await page.click('[data-testid="ledger-older"]');
      await expectRows(page, 'UsageEvent', 15);
      await page.click('[data-testid="ledger-newest"]');
      await expectRows(page, 'UsageEvent', 50);
      // The filter drawer writes filters.* into the URL; the list follows it.
      await page.goto(`/admin/resources/UsageEvent?filters.user=${world.peer.id}`);
      await expectRows(page, 'UsageEvent', 30);
      await expect.poll(() => page.locator('[data-testid="ledger-totals"]').innerText(), { timeout: 20_000 }).toMatch(/30 matching · 450 tokens/);
      expect(await rows(page, 'UsageEvent').first().innerText()).toContain(world.peer.email);

      await page.goto('/admin/resources/AuditLog');
      await page.waitForSelector('[data-testid="ledger-list"]');
      await page.waitForFunction(() => document.querySelectorAll('[data-css="AuditLog-table-row"]').length > 0);
      expect(await page.locator('table').innerText()).toContain(orgBName);

      await page.goto('/admin');
      await page.waitForSelector('[data-testid="dashboard"]');
      await page.waitForSelector('[data-testid="usage-chart"]');
      expect(await page.locator('[data-testid="dashboard"]').innerText()).toContain('All organizations');
    }, 'ledger-superadmin');
  }, 400_000);

  it('as an org admin: only their organization, everywhere', async () => {
    await signedIn(world.admin.email, async (page) => {
      await page.goto('/admin/resources/UsageEvent');
      await page.waitForSelector('[data-testid="ledger-list"]');
      await expectRows(page, 'UsageEvent', 50);
      await expect.poll(() => page.locator('[data-testid="ledger-totals"]').innerText(), { timeout: 20_000 }).toMatch(/60 matching · 900 tokens/);
      await page.click('[data-testid="ledger-older"]');
      await expectRows(page, 'UsageEvent', 10);
      expect(await page.locator('table').innerText()).not.toContain(world.userB.email);
      // Another organization's filter shows nothing rather than its rows.
      await page.goto(`/admin/resources/UsageEvent?filters.organization=${world.orgB.id}`);
      await page.waitForSelector('[data-testid="ledger-list"]');
      await expect.poll(() => page.locator('[data-testid="ledger-totals"]').innerText(), { timeout: 20_000 }).toMatch(/^0 matching/);
      expect(await rows(page, 'UsageEvent').count()).toBe(0);

      await page.goto('/admin/resources/AuditLog');
      await expectRows(page, 'AuditLog', 13); // the 12 fixtures and this sign-in
      await expect.poll(() => page.locator('[data-testid="ledger-totals"]').innerText(), { timeout: 20_000 }).toBe('13 matching');
      expect(await page.locator('table').innerText()).not.toContain(orgBName);

      await page.goto('/admin');
      await page.waitForSelector('[data-testid="dashboard"]');
      await page.waitForSelector('[data-testid="usage-chart"]');
      expect(await page.locator('[data-testid="dashboard"]').innerText()).not.toContain('All organizations');
    }, 'ledger-org-admin');
  }, 400_000);

  it("loads a reference filter's options when it is opened, not with the list", async () => {
    await signedIn(world.superadmin.email, async (page) => {
      const searches: string[] = [];
      page.on('request', (r) => r.url().includes('/actions/search') && searches.push(new URL(r.url()).pathname));
      await page.goto('/admin/resources/UsageEvent');
      await page.waitForSelector('[data-testid="ledger-list"]');
      await expectRows(page, 'UsageEvent', 50);
      await page.locator('a, button', { hasText: /^\s*Filter/ }).first().click();
      await page.waitForTimeout(500);
      expect(searches).toEqual([]); // five reference filters, none asked yet
      // Opened: the first options of the one filter opened, then typing searches.
      await page.locator('label:has-text("Organization")').locator('..').locator('[class*="control"]').first().click();
      const option = page.locator('[id^="react-select-"][id*="-option-"]');
      await expect.poll(() => option.allInnerTexts(), { timeout: 20_000 }).toContain(orgBName);
      expect(searches).toEqual(['/admin/api/resources/Organization/actions/search']);
      await page.keyboard.type(orgBName.slice(-4));
      await expect.poll(() => option.allInnerTexts(), { timeout: 20_000 }).toEqual([orgBName]);
      await option.first().click();
      await page.locator('button', { hasText: /Apply/ }).first().click();
      // Chosen and applied: the URL and the list follow, and the select names the organization.
      await expect.poll(() => new URL(page.url()).searchParams.get('filters.organization'), { timeout: 20_000 }).toBe(world.orgB.id);
      await page.goto(`/admin/resources/UsageEvent?filters.organization=${world.orgB.id}`);
      await expectRows(page, 'UsageEvent', 5);
      await page.locator('a, button', { hasText: /^\s*Filter/ }).first().click();
      await expect.poll(() => page.locator('label:has-text("Organization")').locator('..').innerText(), { timeout: 20_000 }).toContain(orgBName);
    }, 'reference filter');
  });
});
