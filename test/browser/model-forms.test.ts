import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { browserAvailability, launchChromium, screenshotOnFailure, signInToPanel } from '../support/browser.js';
import { createWorld, systemModel, type World } from '../support/admin-fixtures.js';
import { TEST_PASSWORD } from '../support/factories.js';
import { issueApiKey } from '../../src/domain/api-keys/issue-api-key.js';
import { actorFor } from '../support/factories.js';

/**
 * Issue #10 in Chromium, the AI model and API key forms: tasks as a list of
 * items (add, remove) rather than raw JSON; tags and allowed models as
 * multi-selects; an empty "Allowed models" says what it means; dates shown and
 * picked as the lists show them, ISO and UTC, in a browser far from UTC.
 */
const availability = browserAvailability('test/browser/model-forms.test.ts');
const PEPPER = 'test-api-key-pepper-0123456789abcdef0123456789';

describe.skipIf(availability.skip)('model and key forms in Chromium', { timeout: 120_000 }, () => {
  let t: AppDatabase;
  let app: RunningApp;
  let browser: Browser;
  let w: World;
  let modelId: string;
  let keyId: string;

  beforeAll(async () => {
    t = await appDatabase('browser_model_forms');
    w = await createWorld(t.db);
    modelId = await systemModel(t.db, { name: 'Form Model', tags: ['seo'], tasks: [{ name: 'Outline', prompt: 'Outline {topic}' }] });
    await systemModel(t.db, { name: 'Other Model', tags: ['writing'] });
    keyId = (await issueApiKey(t.app, await actorFor(t.db, w.admin), { name: 'Form key' }, { pepper: PEPPER })).apiKey.id;
    app = await startRunningApp(t);
    browser = await launchChromium(availability.executablePath!);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  async function signedIn(): Promise<Page> {
    // Far from UTC: a picker in local time would be five hours off.
    const context = await browser.newContext({ baseURL: app.baseUrl, viewport: { width: 1440, height: 900 }, timezoneId: 'America/New_York' });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await signInToPanel(page, w.superadmin.email, TEST_PASSWORD);
    return page;
  }

  async function save(page: Page, resource: string, id: string): Promise<void> {
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/admin/api/resources/${resource}/records/${id}/edit`) && r.request().method() === 'POST'),
      page.click('button[type="submit"]'),
    ]);
    const body = (await res.json()) as { notice?: { type?: string; message?: string }; record?: { errors?: unknown } };
    expect(body.notice?.type, `${body.notice?.message} ${JSON.stringify(body.record?.errors)}`).toBe('success');
    await page.waitForURL((u) => !u.pathname.endsWith('/edit'));
  }

  it('tasks are a list of items, tags a multi-select', async () => {
    const page = await signedIn();
    try {
      await page.goto(`/admin/resources/AiModel/records/${modelId}/edit`);
      await page.waitForSelector('[data-testid="task-item"]');
      expect(await page.locator('textarea[name="tasks"]').count()).toBe(0);
      expect(await page.locator('[data-testid="task-item"]').count()).toBe(1);
      expect(await page.inputValue('[aria-label="Task 1 name"]')).toBe('Outline');
      await page.click('[data-testid="task-add"]');
      await page.fill('[aria-label="Task 2 name"]', 'Draft');
      await page.fill('[aria-label="Task 2 prompt"]', 'Write {outline}');
      await page.click('[aria-label="Remove task 1"]');
      expect(await page.locator('[data-testid="task-item"]').count()).toBe(1);
      // Tags: one used elsewhere is offered; a new one is typed.
      await page.click('#tags');
      await page.waitForSelector('text=writing');
      await page.keyboard.type('writing');
      await page.keyboard.press('Enter');
      await page.keyboard.type('long-form');
      await page.keyboard.press('Enter');
      await save(page, 'AiModel', modelId);
      const model = await t.db.aiModel.findUniqueOrThrow({ where: { id: modelId } });
      expect(model.tasks).toEqual([{ name: 'Draft', prompt: 'Write {outline}' }]);
      expect(model.tags).toEqual(['seo', 'writing', 'long-form']);
    } catch (e) {
      const shot = await screenshotOnFailure(page, 'model-forms-tasks');
      if (shot && e instanceof Error) e.message += `\n(screenshot: ${shot})`;
      throw e;
    } finally {
      await page.context().close();
    }
  }, 240_000);

  it('allowed models: a multi-select of names, empty reads "All models the organization may use"; expiry picked and shown in ISO UTC', async () => {
    const page = await signedIn();
    try {
      await page.goto(`/admin/resources/ApiKey/records/${keyId}/show`);
      expect(await page.locator('[data-testid="all-models"]').innerText()).toBe('All models the organization may use');

      await page.goto(`/admin/resources/ApiKey/records/${keyId}/edit`);
      expect(await page.locator('[data-testid="model-multi-select-help"]').innerText()).toBe('Empty = all models the organization may use.');
      await page.click('#allowedModelIds');
      await page.keyboard.type('Form Mod');
      await page.waitForSelector('text=Form Model');
      await page.keyboard.press('Enter');
      await page.fill('#expiresAt', '2027-03-04 05:06');
      await page.keyboard.press('Escape');
      await save(page, 'ApiKey', keyId);
      const key = await t.db.apiKey.findUniqueOrThrow({ where: { id: keyId } });
      expect(key.allowedModelIds).toEqual([modelId]);
      expect(key.expiresAt?.toISOString()).toBe('2027-03-04T05:06:00.000Z');

      // Shown as the lists show dates (the show page adds "UTC"); the chips name the model.
      await page.goto(`/admin/resources/ApiKey/records/${keyId}/show`);
      expect(await page.locator('[data-testid="utc-expiresAt"]').innerText()).toBe('2027-03-04 05:06 UTC');
      await page.waitForSelector('text=Form Model');
      await page.goto(`/admin/resources/ApiKey/records/${keyId}/edit`);
      expect(await page.inputValue('#expiresAt')).toBe('2027-03-04 05:06');
      // The key list shows no expiry column (State stands for it); its "Last used" date is in the same format.
      await t.db.apiKey.update({ where: { id: keyId }, data: { lastUsedAt: new Date('2026-11-02T03:04:00Z') } });
      await page.goto('/admin/resources/ApiKey');
      await page.waitForSelector('[data-css="ApiKey-table-row"]');
      expect(await page.locator('[data-css="ApiKey-table-row"]').first().innerText()).toContain('2026-11-02 03:04');
    } catch (e) {
      const shot = await screenshotOnFailure(page, 'model-forms-keys');
      if (shot && e instanceof Error) e.message += `\n(screenshot: ${shot})`;
      throw e;
    } finally {
      await page.context().close();
    }
  }, 240_000);

  it('"Generate key" picks its expiry in ISO UTC too', async () => {
    const page = await signedIn();
    try {
      await page.goto(`/admin/resources/User/records/${w.user.id}/generateKey`);
      await page.waitForSelector('[data-testid="generate-key"]');
      await page.fill('#gk-name', 'Picked expiry');
      await page.fill('#gk-expires', '2027-05-06 07:08');
      await page.keyboard.press('Escape');
      await page.click('[data-testid="generate-key-submit"]');
      await expect.poll(() => t.db.apiKey.count({ where: { name: 'Picked expiry' } }), { timeout: 30_000 }).toBe(1);
      const key = await t.db.apiKey.findFirstOrThrow({ where: { name: 'Picked expiry' } });
      expect(key.expiresAt?.toISOString()).toBe('2027-05-06T07:08:00.000Z');
    } catch (e) {
      const shot = await screenshotOnFailure(page, 'model-forms-generate-key');
      if (shot && e instanceof Error) e.message += `\n(screenshot: ${shot})`;
      throw e;
    } finally {
      await page.context().close();
    }
  }, 240_000);
});
