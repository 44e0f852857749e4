import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { browserAvailability, launchChromium, screenshotOnFailure } from '../support/browser.js';
import { seedDemo } from '../../src/domain/seed/seed-demo.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';

/**
 * Issue #10 in Chromium: no request leaves 127.0.0.1 (no Google Fonts), and
 * the audit log records sign-ins, failed sign-ins and sign-outs with IP and
 * browser, its actions in words.
 */
const availability = browserAvailability('test/browser/panel-polish.test.ts');
const ADMIN_EMAIL = 'admin@polish.local';
const ADMIN_PASSWORD = 'polish-admin-password';

describe.skipIf(availability.skip)('panel polish in Chromium', { timeout: 120_000 }, () => {
  let t: AppDatabase;
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await appDatabase('browser_polish');
    await seedDemo(t.app, SYSTEM_ACTOR, { adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD, demoPassword: 'polish-demo-password', withDemoData: true });
    app = await startRunningApp(t);
    browser = await launchChromium(availability.executablePath!);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  async function signIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto('/admin/login');
    await page.fill('[name="email"]', email);
    await page.fill('[name="password"]', password);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/admin/login') && r.request().method() === 'POST'), page.click('form[action="/admin/login"] button')]);
  }

  it('no request leaves 127.0.0.1; sign-ins, a failed one and a sign-out are in the audit log, in words', async () => {
    const context = await browser.newContext({ baseURL: app.baseUrl, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) PolishTest/1.0' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    try {
      await signIn(page, ADMIN_EMAIL, 'wrong-password');
      await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
      await page.waitForSelector('[data-css="logged-in"]');
      await page.goto('/admin/resources/AuditLog');
      await page.waitForSelector('[data-css="AuditLog-table-row"]');
      const table = await page.locator('table').innerText();
      expect(table).toContain('Signed in');
      expect(table).toContain('Sign-in failed');
      expect(table).not.toContain('user.sign-in');
      // Sign-out is a POST: the GET shows a one-button confirmation (src/admin/auth/admin-auth-routes.ts).
      await page.goto('/admin/logout');
      await page.click('#sign-out button[type="submit"]');
      await page.waitForURL((u) => u.pathname === '/admin/login');

      const external = requests.filter((u) => !u.startsWith('data:') && new URL(u).hostname !== '127.0.0.1' && new URL(u).hostname !== 'localhost');
      expect(external).toEqual([]);
      expect(requests.length).toBeGreaterThan(5);
    } catch (e) {
      const shot = await screenshotOnFailure(page, 'panel-polish');
      if (shot && e instanceof Error) e.message += `\n(screenshot: ${shot})`;
      throw e;
    } finally {
      await context.close();
    }
    const rows = await t.db.auditLog.findMany({ where: { action: { startsWith: 'user.sign' } }, orderBy: { occurredAt: 'asc' } });
    expect(rows.map((r) => r.action)).toEqual(['user.sign-in-failed', 'user.sign-in', 'user.sign-out']);
    for (const r of rows) {
      expect(r.ip, r.action).toBeTruthy();
      expect(r.userAgent, r.action).toContain('PolishTest/1.0');
    }
    expect(rows[0]!.actorLabel).toBe(ADMIN_EMAIL);
  });
});
