import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTemporaryPassword } from '../../src/domain/users/set-temporary-password.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createOrg, createUser } from '../support/factories.js';
import { Browserless, startRunningApp, type RunningApp } from '../support/running-app.js';

let t: AppDatabase;
let app: RunningApp;
let viewer: { id: string; email: string };
let temporary: string;

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

beforeAll(async () => {
  t = await appDatabase('temporary_password');
  const org = await createOrg(t.db);
  const admin = await createUser(t.db, org, 'ADMIN');
  viewer = await createUser(t.db, org, 'VIEWER');
  ({ password: temporary } = await setTemporaryPassword(t.app, await actorFor(t.db, admin), { userId: viewer.id }));
  app = await startRunningApp(t);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('a temporary password must be changed at the next sign-in', () => {
  it('sends every page to the change form, refuses the API, and lets the user in once changed', async () => {
    const client = new Browserless(app.baseUrl);
    expect((await client.signIn(viewer.email, temporary)).status).toBe(302);

    const home = await client.request('/admin');
    expect(home.status).toBe(302);
    expect(home.headers.get('location')).toBe('/admin/change-password');
    expect((await client.api('/resources/Organization/actions/list')).status).toBe(403);
    const formPage = await client.request('/admin/change-password');
    expect(await formPage.text()).toContain('Choose a new password');

    // Wrong current password, mismatch, too short: refused with a message, nothing changes.
    for (const [fields, message] of [
      [{ currentPassword: 'not-it', newPassword: 'a-brand-new-password', confirmPassword: 'a-brand-new-password' }, /current password/],
      [{ currentPassword: temporary, newPassword: 'a-brand-new-password', confirmPassword: 'something-else-entirely' }, /does not match/],
      [{ currentPassword: temporary, newPassword: 'short', confirmPassword: 'short' }, /at least 12/],
    ] as const) {
      const res = await client.request('/admin/change-password', form(fields));
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(message);
    }
    expect((await t.db.user.findUniqueOrThrow({ where: { id: viewer.id } })).mustChangePassword).toBe(true);

    const done = await client.request('/admin/change-password', form({ currentPassword: temporary, newPassword: 'a-brand-new-password', confirmPassword: 'a-brand-new-password' }));
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/admin');
    expect(await client.signedIn()).toBe(true);
    expect((await client.api('/resources/Organization/actions/list')).status).toBe(200);

    const row = await t.db.user.findUniqueOrThrow({ where: { id: viewer.id } });
    expect(row.mustChangePassword).toBe(false);
    expect(row.passwordChangedAt).not.toBeNull();
    expect(await t.db.auditLog.count({ where: { recordId: viewer.id, action: 'user.change-own-password' } })).toBe(1);

    // The temporary password is gone; the new one works.
    expect((await new Browserless(app.baseUrl).signIn(viewer.email, temporary)).status).toBe(401);
    expect((await new Browserless(app.baseUrl).signIn(viewer.email, 'a-brand-new-password')).status).toBe(302);
  });
});
