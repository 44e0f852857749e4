import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '@prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, type World } from '../support/admin-fixtures.js';
import { startRunningAppOn, type RunningApp } from '../support/running-app.js';

/**
 * No page may hold one pooled connection while it waits for another: under
 * load, every connection would then be held by a request waiting for a
 * second one, and none would ever come back (a pool deadlock). The pages that
 * read in parallel (Promise.all: related records on show pages, the sessions
 * list's names, the dashboard, the ledger lists) run here on an app whose
 * tenant and system pools hold ONE connection each, many requests at once.
 * A page that held its connection while asking for a second would wait until
 * Prisma gives up on it (maxWait) and fail; here every one of them answers.
 */
let t: AppDatabase;
let app: RunningApp;
let world: World;

beforeAll(async () => {
  t = await appDatabase('one_connection_pool');
  world = await createWorld(t.db);
  const onePool = (url: string) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 1 }) });
  app = await startRunningAppOn(t, { tenant: onePool(t.appUrl), system: onePool(t.systemUrl) });
}, 180_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('pages that read in parallel, on one pooled connection', () => {
  it('all answer (org admin and superadmin side by side)', async () => {
    const admin = await AdminClient.signIn(app.baseUrl, world.admin.email);
    const superadmin = await AdminClient.signIn(app.baseUrl, world.superadmin.email);
    const pages = (who: string, c: AdminClient): [string, () => Promise<{ outcome: string }>][] => [
      [`${who} organization page`, () => c.show('Organization', world.orgA.id)], // related records: users, realms, model access (+ counts), all at once
      [`${who} user page`, () => c.show('User', world.user.id)],
      [`${who} sessions`, () => c.list('Session')], // the sessions' users and organizations, read side by side
      [`${who} dashboard`, () => c.get('/dashboard?days=30')],
      [`${who} usage list`, () => c.get('/resources/UsageEvent/actions/list?perPage=50')],
      [`${who} audit list`, () => c.get('/resources/AuditLog/actions/list?perPage=50')],
    ];
    // Each page of the org admin (tenant pool) beside the same page of the
    // superadmin (system pool). On one connection a request that held it while
    // waiting for another would never get one, so one request each suffices;
    // more at once would only test how long a queue may grow before Prisma's
    // 2 s wait for a connection runs out on a busy machine.
    const outcomes: [string, string][] = [];
    const [mine, theirs] = [pages('org admin', admin), pages('superadmin', superadmin)];
    for (let i = 0; i < mine.length; i++) {
      outcomes.push(...(await Promise.all([mine[i]!, theirs[i]!].map(async ([name, page]) => [name, (await page()).outcome] as [string, string]))));
    }
    expect(outcomes).toHaveLength(12);
    expect(outcomes.filter(([, outcome]) => outcome !== 'ok')).toEqual([]);
  }, 120_000);
});
