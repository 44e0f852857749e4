import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { browserAvailability, launchChromium, screenshotOnFailure, signInToPanel } from '../support/browser.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, makeRow, systemModel, type World } from '../support/admin-fixtures.js';
import { actorFor, TEST_PASSWORD } from '../support/factories.js';
import { setTemporaryPassword } from '../../src/domain/users/set-temporary-password.js';
import { setModelAccess } from '../../src/domain/model-access/set-model-access.js';
import { issueApiKey } from '../../src/domain/api-keys/issue-api-key.js';
import { runRealmMigration } from '../../src/domain/realms/run-realm-migration.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';

/**
 * Issue #10 in Chromium: the audit log reads as words. Actions are phrases,
 * the record column names the record (never a uuid or a JavaScript date
 * string), and the show page lays the change out as label / before / after
 * with secrets only "(changed)".
 */
const availability = browserAvailability('test/browser/audit-readable.test.ts');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const PEPPER = 'test-api-key-pepper-0123456789abcdef0123456789';

describe.skipIf(availability.skip)('the audit log in Chromium', { timeout: 120_000 }, () => {
  let t: AppDatabase;
  let app: RunningApp;
  let browser: Browser;
  let w: World;
  let orgName: string;
  let keyPrefix: string;

  beforeAll(async () => {
    t = await appDatabase('browser_audit_readable');
    w = await createWorld(t.db);
    orgName = (await t.db.organization.findUniqueOrThrow({ where: { id: w.orgA.id } })).name;
    const modelId = await systemModel(t.db, { name: 'Basic Assistant' });
    const superActor = await actorFor(t.db, w.superadmin);
    await setTemporaryPassword(t.app, superActor, { userId: w.user.id });
    await setModelAccess(t.app, superActor, { organizationId: w.orgA.id, modelId, isEnabledForUsers: true });
    const { apiKey } = await issueApiKey(t.app, await actorFor(t.db, w.admin), { name: 'Build bot' }, { pepper: PEPPER });
    keyPrefix = apiKey.prefix;
    await runRealmMigration(t.db, SYSTEM_ACTOR);
    // Rows earlier versions wrote: a bare verb from the API, an old alias of a code.
    await t.db.auditLog.create({ data: { action: 'update', resource: 'Organization', recordId: w.orgA.id, organizationId: w.orgA.id, changes: { before: { monthlyTokenQuota: '100' }, after: { monthlyTokenQuota: '2500000' } } } });
    await t.db.auditLog.create({ data: { action: 'user.set-temporary-password', resource: 'User', recordId: w.peer.id, organizationId: w.orgA.id } });
    app = await startRunningApp(t);
    // A write-only secret changed through the panel (the audit keeps only that it changed).
    const vs = await makeRow(t.db, 'VectorServer', w.admin);
    const superadmin = await AdminClient.signIn(app.baseUrl, w.superadmin.email);
    expect((await superadmin.editLikeTheForm('VectorServer', vs, { password: 'a-new-vector-password', port: 6334 })).outcome).toBe('ok');
    browser = await launchChromium(availability.executablePath!);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  async function signIn(page: Page): Promise<void> {
    await signInToPanel(page, w.superadmin.email, TEST_PASSWORD);
  }

  /** The cells of the list, by column header. */
  async function columns(page: Page): Promise<Record<string, string[]>> {
    await page.waitForSelector('[data-css="AuditLog-table-row"]');
    return page.evaluate(() => {
      const heads = Array.from(document.querySelectorAll('table thead tr:first-child > *')).map((th) => (th as HTMLElement).innerText.trim());
      const out: Record<string, string[]> = {};
      for (const row of Array.from(document.querySelectorAll('[data-css="AuditLog-table-row"]'))) {
        Array.from(row.querySelectorAll('td')).forEach((td, i) => {
          const h = heads[i];
          if (h) (out[h] ??= []).push((td as HTMLElement).innerText.trim());
        });
      }
      return out;
    });
  }

  async function diffOf(page: Page, recordId: string, action: string): Promise<string[][]> {
    const row = await t.db.auditLog.findFirstOrThrow({ where: { recordId, action } });
    await page.goto(`/admin/resources/AuditLog/records/${row.id}/show`);
    await page.waitForSelector('[data-testid="audit-diff"]');
    return page.$$eval('[data-testid="audit-diff-row"]', (rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => (td as HTMLElement).innerText.trim())));
  }

  it('actions in words, records by name, the change as a diff', async () => {
    const context = await browser.newContext({ baseURL: app.baseUrl, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    try {
      await signIn(page);
      await page.goto('/admin/resources/AuditLog?perPage=50');
      const cols = await columns(page);
      for (const words of ['Temporary password set', 'Model access changed', 'API key issued', 'Realm migration started', 'Realm migration completed', 'Organization changed', 'Vector server changed']) {
        expect(cols.Action).toContain(words);
      }
      // No code in the action column (the old alias reads as its code's words).
      for (const a of cols.Action!) expect(a).not.toMatch(/^[a-z-]+(\.[a-z-]+)?$/);
      expect(cols.Action!.filter((a) => a === 'Temporary password set')).toHaveLength(2);

      const records = cols.Record!;
      expect(records).toContain(`${orgName} / Basic Assistant`);
      expect(records).toContain(w.user.email);
      expect(records).toContain(orgName);
      expect(records).toContain(`Build bot · ${keyPrefix}`);
      const run = await t.db.realmMigrationRun.findFirstOrThrow();
      expect(records).toContain(run.startedAt.toISOString().slice(0, 16).replace('T', ' '));
      for (const r of records) {
        expect(r).not.toMatch(UUID);
        expect(r).not.toMatch(/GMT|\(Coordinated/);
      }

      // The show page: one row per changed field, in words; a secret only "(changed)".
      const vsDiff = await diffOf(page, (await t.db.vectorServer.findFirstOrThrow()).id, 'vector-server.update');
      expect(vsDiff).toContainEqual(['Port', '6,333', '6,334']);
      const secret = vsDiff.find((r) => /password/i.test(r[0]!));
      expect(secret).toEqual([expect.stringMatching(/^Password/), '', '(changed)']);
      expect(JSON.stringify(vsDiff)).not.toMatch(/redacted|S3CR3TMARK/);

      const tempDiff = await diffOf(page, w.user.id, 'user.temporary-password');
      expect(tempDiff).toContainEqual(['Must change password', 'No', 'Yes']);
      // The page heading says the action in words, not its code.
      await expect.poll(() => page.$eval('[data-css="AuditLog-show-action-header"] h2', (h2) => Array.from(h2.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim()), { timeout: 30_000 }).toBe('Temporary password set');
      const runDiff = await diffOf(page, run.id, 'realm-migration.complete');
      const labels = runDiff.map((r) => r[0]!.toLowerCase());
      expect(new Set(labels).size).toBe(labels.length);
      expect(labels.length).toBeGreaterThan(2);
      const orgDiff = await diffOf(page, w.orgA.id, 'update');
      expect(orgDiff).toEqual([['Monthly token quota', '100', '2,500,000']]);
    } catch (e) {
      const shot = await screenshotOnFailure(page, 'audit-readable');
      if (shot && e instanceof Error) e.message += `\n(screenshot: ${shot})`;
      throw e;
    } finally {
      await context.close();
    }
  }, 240_000);
});
