import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { browserAvailability, launchChromium, screenshotOnFailure } from '../support/browser.js';
import { seedDemo } from '../../src/domain/seed/seed-demo.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';

/**
 * Issue #7: the panel works under its Content-Security-Policy. Chromium visits
 * the main screens (lists, show, edit, custom actions, dashboard) as a
 * superadmin and an org admin, saves a form through AdminJS's own frontend
 * (Origin + CSRF token), and signs out from the menu; any CSP violation
 * (a securitypolicyviolation event or a "Refused to" console line) fails it.
 */
const availability = browserAvailability('test/browser/content-security-policy.test.ts');
const ADMIN_EMAIL = 'admin@realmgate.local';
const ADMIN_PASSWORD = 'csp-admin-password';
const DEMO_PASSWORD = 'csp-demo-password';

describe.skipIf(availability.skip)('Content-Security-Policy in Chromium', { timeout: 120_000 }, () => {
  let t: AppDatabase;
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await appDatabase('browser_csp');
    await seedDemo(t.system, SYSTEM_ACTOR, { adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD, demoPassword: DEMO_PASSWORD, withDemoData: true });
    app = await startRunningApp(t);
    browser = await launchChromium(availability.executablePath!);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  async function watched(name: string, fn: (page: Page, violations: string[]) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ baseURL: app.baseUrl });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        // Reported through the console so that the test sees it whatever page it happened on.
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`);
      });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const violations: string[] = [];
    page.on('console', (m) => {
      const text = m.text();
      if (/Refused to|Content Security Policy|CSP violation/i.test(text)) violations.push(`${page.url()}: ${text}`);
    });
    try {
      await fn(page, violations);
    } catch (e) {
      const shot = await screenshotOnFailure(page, name);
      if (shot && e instanceof Error) e.message += `\n(screenshot: ${shot}, at ${page.url()})`;
      throw e;
    } finally {
      await context.close();
    }
  }

  async function signIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto('/admin/login');
    await page.fill('[name="email"]', email);
    await page.fill('[name="password"]', password);
    await Promise.all([page.waitForURL((u) => u.pathname === '/admin' || u.pathname === '/admin/'), page.click('form[action="/admin/login"] button')]);
    await page.waitForSelector('[data-css="logged-in"]');
  }

  async function visit(page: Page, path: string): Promise<void> {
    await page.goto(path);
    await page.waitForSelector('[data-css="logged-in"]');
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {}); // some screens poll
  }

  it('the main screens of a superadmin and an org admin raise no CSP violation', async () => {
    await watched('csp-screens', async (page, violations) => {
      await page.goto('/admin/login');
      await page.waitForLoadState('networkidle');
      await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
      const org = await t.db.organization.findFirstOrThrow({ orderBy: { name: 'asc' } });
      const user = await t.db.user.findFirstOrThrow({ where: { organizationId: org.id } });
      const key = await t.db.apiKey.findFirstOrThrow({});
      const model = await t.db.aiModel.findFirstOrThrow({});
      const paths = [
        '/admin',
        '/admin/resources/Organization',
        `/admin/resources/Organization/records/${org.id}/show`,
        `/admin/resources/Organization/records/${org.id}/edit`,
        `/admin/resources/Organization/records/${org.id}/quotaStats`,
        `/admin/resources/Organization/records/${org.id}/manageModels`,
        '/admin/resources/User',
        `/admin/resources/User/records/${user.id}/show`,
        '/admin/resources/User/actions/new',
        '/admin/resources/ApiKey',
        `/admin/resources/ApiKey/records/${key.id}/show`,
        '/admin/resources/AiModel',
        `/admin/resources/AiModel/records/${model.id}/grantToOrganizations`,
        '/admin/resources/Realm',
        '/admin/resources/UsageEvent',
        '/admin/resources/AuditLog',
        '/admin/resources/Session',
        '/admin/resources/RealmMigrationRun',
      ];
      for (const path of paths) {
        await visit(page, path);
      }

      // A save through AdminJS's own frontend passes the CSRF guard.
      await visit(page, `/admin/resources/Organization/records/${org.id}/edit`);
      await page.fill('[data-testid="property-edit-description"] textarea, [data-testid="property-edit-description"] input', 'Edited under the CSP');
      const [saved] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/admin/api/resources/Organization/records/') && r.request().method() === 'POST'),
        page.click('form button[type="submit"]'),
      ]);
      expect(saved.status()).toBe(200);
      expect(saved.request().headers()['x-csrf-token']).toBeTruthy();
      expect((await t.db.organization.findUniqueOrThrow({ where: { id: org.id } })).description).toBe('Edited under the CSP');

      // Sign out from the user menu: the GET page posts itself.
      await page.click('[data-css="logged-in"]');
      await Promise.all([page.waitForURL(/\/admin\/login$/), page.getByText(/^log ?out$/i).click()]);
      expect(violations).toEqual([]);
    });

    await watched('csp-org-admin', async (page, violations) => {
      await signIn(page, 'alice.admin@acme.example', DEMO_PASSWORD);
      for (const path of ['/admin', '/admin/resources/User', '/admin/resources/ApiKey', '/admin/resources/Realm', '/admin/resources/QuotaCounter']) await visit(page, path);
      await page.goto('/admin/change-password');
      await page.waitForSelector('form input[name="newPassword"]');
      expect(violations).toEqual([]);
    });
  }, 300_000);
});
