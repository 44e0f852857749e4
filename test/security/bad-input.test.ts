import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../support/admin-client.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createOrg, createUser } from '../support/factories.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * Issue #7: the panel's JSON API answers bad input with a 4xx and writes
 * nothing; never a 500. Fixed cases from the review, then a property over
 * list filters, ids and payloads.
 */
let t: AppDatabase;
let app: RunningApp;
let admin: AdminClient;
let orgId: string;

beforeAll(async () => {
  t = await appDatabase('bad_input');
  const org = await createOrg(t.db);
  orgId = org.id;
  const superadmin = await createUser(t.db, null, 'SUPERADMIN');
  await createUser(t.db, org, 'USER');
  app = await startRunningApp(t);
  admin = await AdminClient.signIn(app.baseUrl, superadmin.email);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

/** Rows in the tables a payload could write to, to prove nothing was written. */
const footprint = async () => [await t.db.organization.count(), await t.db.user.count(), await t.db.realm.count(), await t.db.apiKey.count(), await t.db.auditLog.count()];

describe('bad input is a 400, never a 500', () => {
  it('the review\'s cases', async () => {
    const before = await footprint();
    const cases: Array<[string, Promise<{ status: number }>]> = [
      ['unknown enum in a filter', admin.list('User', 'filters.role=EMPEROR')],
      ['malformed uuid in a filter', admin.list('User', 'filters.organization=not-a-uuid')],
      ['malformed date in a filter', admin.list('User', 'filters.createdAt~~from=yesterday-ish')],
      ['NUL in an id', admin.show('Organization', 'abc\u0000def')],
      ['NUL in a text id', admin.show('Session', 'abc\u0000def')],
      ['__proto__ payload key', admin.edit('Organization', orgId, { '__proto__.polluted': 'yes', name: 'x' })],
      ['constructor.prototype payload key', admin.edit('Organization', orgId, { 'constructor.prototype.polluted': 'yes' })],
      ['__proto__ query key', admin.list('User', '__proto__.x=1')],
    ];
    for (const [label, p] of cases) {
      const res = await p;
      expect(res.status, label).toBeGreaterThanOrEqual(400);
      expect(res.status, label).toBeLessThan(500);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await footprint()).toEqual(before);
  });

  it('property: no list filter, id or payload the API is sent produces a 500 or a stray write', async () => {
    const before = await footprint();
    let accepted = 0; // edits that were valid after all (an Organization field set to a legal value)
    const resources = ['Organization', 'User', 'ApiKey', 'Realm', 'Session', 'QuotaCounter', 'UsageEvent', 'AiModel'];
    const fields = ['role', 'status', 'organization', 'createdAt', 'id', 'email', 'name', 'maxTokens', 'periodStart', 'sid', 'type', 'expiresAt'];
    const nasty = fc.oneof(
      fc.string(),
      fc.constantFrom('EMPEROR', 'not-a-uuid', '9999-99-99', '\u0000', 'a\u0000b', '-1', '1e309', 'NaN', '2026-13-45T25:61:00Z', "'; DROP TABLE users; --", '__proto__', '%00', '0x00'),
      fc.uuid(),
      fc.integer().map(String),
    );
    const keyish = fc.oneof(fc.constantFrom(...fields), fc.constantFrom('__proto__.x', 'constructor.prototype.x', 'a.__proto__', 'prototype'), fc.string({ minLength: 1, maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...resources),
        fc.oneof(
          fc.record({ kind: fc.constant('list' as const), field: fc.constantFrom(...fields), suffix: fc.constantFrom('', '~~from', '~~to'), value: nasty }),
          fc.record({ kind: fc.constant('show' as const), id: nasty }),
          fc.record({ kind: fc.constant('edit' as const), id: fc.oneof(nasty, fc.constant(orgId)), payload: fc.dictionary(keyish, nasty, { maxKeys: 4 }) }),
        ),
        async (resource, input) => {
          let status: number;
          if (input.kind === 'list') status = (await admin.list(resource, `filters.${encodeURIComponent(input.field + input.suffix)}=${encodeURIComponent(input.value)}`)).status;
          else if (input.kind === 'show') status = (await admin.show(resource, input.id)).status;
          else {
            const res = await admin.edit('Organization', input.id, { ...input.payload, name: '' });
            status = res.status;
            if (res.outcome === 'ok') accepted++;
          }
          expect(status, JSON.stringify({ resource, input })).toBeLessThan(500);
        },
      ),
      { numRuns: 120, seed: 7 },
    );
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // Nothing created or deleted anywhere; audit rows only for the edits that were accepted.
    const after = await footprint();
    expect(after.slice(0, 4)).toEqual(before.slice(0, 4));
    expect(after[4]! - before[4]!).toBeLessThanOrEqual(accepted);
  }, 240_000);
});
