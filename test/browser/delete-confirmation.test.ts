import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { browserAvailability, launchChromium, screenshotOnFailure, signInToPanel } from '../support/browser.js';
import { createWorld, realmOf, type World } from '../support/admin-fixtures.js';
import { createOrg, createUser, TEST_PASSWORD } from '../support/factories.js';

/**
 * Issue #10 in Chromium: the delete confirmation names what it deletes
 * ("Delete organization Empty Co?"), for every resource and for bulk deletes;
 * an organization with nothing in it is deleted; one that still holds
 * records says which, and stays.
 */
const availability = browserAvailability('test/browser/delete-confirmation.test.ts');

describe.skipIf(availability.skip)('delete confirmations in Chromium', { timeout: 120_000 }, () => {
  let t: AppDatabase;
  let app: RunningApp;
  let browser: Browser;
  let w: World;

  beforeAll(async () => {
    t = await appDatabase('browser_delete_confirm');
    w = await createWorld(t.db);
    app = await startRunningApp(t);
    browser = await launchChromium(availability.executablePath!);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  async function signedIn(): Promise<Page> {
    const context = await browser.newContext({ baseURL: app.baseUrl, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await signInToPanel(page, w.superadmin.email, TEST_PASSWORD);
    return page;
  }

  async function question(page: Page): Promise<string> {
    return (await page.locator('[data-testid="delete-question"]').innerText()).trim();
  }

  it('names the record, deletes an empty organization, and says what still belongs to a busy one', async () => {
    const page = await signedIn();
    try {
      const empty = await createOrg(t.db, { name: 'Empty Co' });
      await page.goto(`/admin/resources/Organization/records/${empty.id}/show`);
      await page.click('[data-testid="action-delete"]');
      await page.waitForURL((u) => u.pathname.endsWith(`/records/${empty.id}/delete`));
      expect(await question(page)).toBe('Delete organization Empty Co?');
      await page.click('[data-testid="delete-confirm-button"]');
      await page.waitForURL((u) => u.pathname === '/admin/resources/Organization');
      expect(await t.db.organization.count({ where: { id: empty.id } })).toBe(0);

      const busy = await createOrg(t.db, { name: 'Busy Co' });
      const member = await createUser(t.db, busy, 'USER');
      await realmOf(t.db, { ...member, organizationId: busy.id });
      await page.goto(`/admin/resources/Organization/records/${busy.id}/delete`);
      expect(await question(page)).toBe('Delete organization Busy Co?');
      await page.click('[data-testid="delete-confirm-button"]');
      await page.waitForSelector('[data-testid="action-error"]');
      expect(await page.locator('[data-testid="action-error"]').innerText()).toContain('1 user and 1 realm belong to this organization; deactivate it instead');
      expect(await t.db.organization.count({ where: { id: busy.id } })).toBe(1);

      // Other resources: named by their title.
      await page.goto(`/admin/resources/User/records/${w.peer.id}/delete`);
      expect(await question(page)).toBe(`Delete user ${w.peer.email}?`);
      const realm = await realmOf(t.db, w.user);
      const name = (await t.db.realm.findUniqueOrThrow({ where: { id: realm } })).name;
      await page.goto(`/admin/resources/Realm/records/${realm}/delete`);
      expect(await question(page)).toContain(`Delete realm ${name}`);

      // Bulk delete: how many, of what, and each one listed.
      const a = await createOrg(t.db, { name: 'Spare One' });
      const b = await createOrg(t.db, { name: 'Spare Two' });
      await page.goto(`/admin/resources/Organization/bulk/bulkDelete?recordIds=${a.id},${b.id}`);
      expect(await question(page)).toBe('Delete 2 organizations?');
      const listed = await page.locator('[data-testid="delete-confirm"] li').allInnerTexts();
      expect(listed.sort()).toEqual(['Spare One', 'Spare Two']);
      await page.click('[data-testid="delete-confirm-button"]');
      await page.waitForURL((u) => u.pathname === '/admin/resources/Organization');
      expect(await t.db.organization.count({ where: { id: { in: [a.id, b.id] } } })).toBe(0);

      // Every resource the superadmin may delete from asks this way (none keeps AdminJS's nameless modal).
      const resources = await page.evaluate(() => (window as unknown as { REDUX_STATE: { resources: { id: string; resourceActions: unknown[]; actions: { name: string; component?: unknown; guard?: string }[] }[] } }).REDUX_STATE.resources);
      const deletes = resources.flatMap((r) => r.actions.filter((x) => x.name === 'delete' || x.name === 'bulkDelete').map((x) => ({ id: r.id, ...x })));
      expect(deletes.length).toBeGreaterThan(20);
      for (const d of deletes) {
        expect(d.guard, `${d.id}.${d.name}`).toBeFalsy();
        expect(d.component, `${d.id}.${d.name}`).toBe('ActionDeleteRecord');
      }
      // Ending a session is its delete, in its own words, named by whose it is.
      const sid = (await t.db.session.findFirstOrThrow()).sid;
      await page.goto(`/admin/resources/Session/records/${encodeURIComponent(sid)}/delete`);
      expect(await question(page)).toMatch(new RegExp(`^End session of ${w.superadmin.email.replace(/\./g, '\\.')}`));
      expect(await question(page)).not.toContain(sid);
    } catch (e) {
      const shot = await screenshotOnFailure(page, 'delete-confirmation');
      if (shot && e instanceof Error) e.message += `\n(screenshot: ${shot})`;
      throw e;
    } finally {
      await page.context().close();
    }
  }, 240_000);
});
