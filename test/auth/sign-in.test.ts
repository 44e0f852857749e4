import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '@prisma/client';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createOrg, createUser, TEST_PASSWORD } from '../support/factories.js';
import { signIn, type SignInResult } from '../../src/domain/auth/sign-in.js';
import { DEFAULT_SIGN_IN_POLICY, type SignInPolicy } from '../../src/domain/auth/sign-in-policy.js';
import * as password from '../../src/domain/auth/password.js';
import { createPrisma } from '../../src/db/client.js';
import { createTenantPrisma, withTenant } from '../../src/db/tenant-context.js';
import { pruneLoginThrottle } from '../../src/domain/auth/login-throttle.js';
import { inActorTransaction } from '../../src/domain/shared/actor-transaction.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';

// Count argon2 verifies without changing what they do: every path must run exactly one.
vi.mock('../../src/domain/auth/password.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/domain/auth/password.js')>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});
const verify = vi.mocked(password.verifyPassword);

/**
 * Sign-in rules on the app's own connection (row-level security applies):
 * lockout per account counted by one conditional UPDATE, the per-IP throttle
 * in PostgreSQL, one verify and one answer whatever went wrong.
 */
let t: AppDatabase;
let owner: PrismaClient;
let app: PrismaClient;
// A second app instance: its own connection pool (app login + tenant client) on the same database.
let secondRaw: PrismaClient;
let secondSystemRaw: PrismaClient;
let secondInstance: PrismaClient;
let org: { id: string };
let ipCounter = 0;
const POLICY: SignInPolicy = { ...DEFAULT_SIGN_IN_POLICY, maxAttempts: 5, lockoutMinutes: 15, ipMaxAttempts: 20 };
// Each test its own IP, so the throttle only bites where a test means it to.
const freshIp = () => `203.0.113.${++ipCounter}`;

beforeAll(async () => {
  t = await appDatabase('sign_in');
  owner = t.db;
  app = t.app;
  secondRaw = createPrisma(t.appUrl, { max: 4 });
  secondSystemRaw = createPrisma(t.systemUrl, { max: 4 });
  secondInstance = createTenantPrisma(secondRaw, secondSystemRaw);
  org = await createOrg(owner);
});
afterAll(async () => {
  await secondRaw?.$disconnect();
  await secondSystemRaw?.$disconnect();
  await t?.drop();
});
beforeEach(() => verify.mockClear());

const userRow = (id: string) => owner.user.findUniqueOrThrow({ where: { id } });
const failed = (r: SignInResult) => (r.ok ? 'ok' : r.reason);

describe('sign-in', () => {
  it('signs in with the right password, resets the failure count and records lastLoginAt', async () => {
    const u = await createUser(owner, org, 'ADMIN', { failedLoginAttempts: 3 });
    const r = await signIn(app, { email: u.email, password: TEST_PASSWORD, ip: freshIp() }, POLICY);
    expect(r).toEqual({ ok: true, user: { id: u.id, email: u.email, role: 'ADMIN', organizationId: org.id, title: u.username } });
    const after = await userRow(u.id);
    expect(after.failedLoginAttempts).toBe(0);
    expect(after.lastLoginAt).not.toBeNull();
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('answers every failure alike and runs exactly one argon2 verify on every path', async () => {
    const ip = freshIp();
    const active = await createUser(owner, org, 'USER');
    const inactive = await createUser(owner, org, 'USER', { status: 'INACTIVE' });
    const locked = await createUser(owner, org, 'USER', { status: 'LOCKED', lockedUntil: new Date(Date.now() + 60_000), failedLoginAttempts: 5 });
    const cases: Array<[string, { email: unknown; password: unknown }]> = [
      ['unknown-user', { email: 'nobody@test.example', password: TEST_PASSWORD }],
      ['wrong-password', { email: active.email, password: 'not-the-password' }],
      // The right password does not help a locked or disabled account.
      ['locked', { email: locked.email, password: TEST_PASSWORD }],
      ['inactive', { email: inactive.email, password: TEST_PASSWORD }],
      ['invalid-input', { email: '', password: '' }],
      ['invalid-input', { email: ['x'], password: { $ne: 1 } }],
    ];
    for (const [reason, creds] of cases) {
      verify.mockClear();
      const r = await signIn(app, { ...creds, ip }, POLICY);
      expect(r, reason).toMatchObject({ ok: false, reason });
      expect(verify, `${reason}: one verify`).toHaveBeenCalledTimes(1);
    }
    // A locked or disabled account's count does not move.
    expect((await userRow(locked.id)).failedLoginAttempts).toBe(5);
    expect((await userRow(inactive.id)).failedLoginAttempts).toBe(0);
  });

  it('locks the account after maxAttempts failures; then even the right password fails', async () => {
    const u = await createUser(owner, org, 'USER');
    const ip = freshIp();
    const results: SignInResult[] = [];
    for (let i = 0; i < POLICY.maxAttempts; i++) results.push(await signIn(app, { email: u.email, password: `wrong-${i}`, ip }, POLICY));
    expect(results.map(failed)).toEqual(Array(POLICY.maxAttempts).fill('wrong-password'));
    expect(results.map((r) => !r.ok && r.lockedNow)).toEqual([false, false, false, false, true]);
    const row = await userRow(u.id);
    expect(row.status).toBe('LOCKED');
    expect(row.failedLoginAttempts).toBe(POLICY.maxAttempts);
    const minutes = (row.lockedUntil!.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(POLICY.lockoutMinutes - 1);
    expect(minutes).toBeLessThanOrEqual(POLICY.lockoutMinutes + 0.1);

    const r = await signIn(app, { email: u.email, password: TEST_PASSWORD, ip }, POLICY);
    expect(r).toEqual({ ok: false, reason: 'locked' });
    expect((await userRow(u.id)).failedLoginAttempts).toBe(POLICY.maxAttempts);
  });

  it('20 concurrent wrong passwords count exactly and lock exactly once', async () => {
    const u = await createUser(owner, org, 'USER');
    const ip = freshIp();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(app, { email: u.email, password: `wrong-${i}`, ip }, POLICY)));
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(results.filter((r) => !r.ok && r.reason === 'wrong-password')).toHaveLength(POLICY.maxAttempts);
    expect(results.filter((r) => !r.ok && r.lockedNow)).toHaveLength(1);
    const row = await userRow(u.id);
    expect(row.status).toBe('LOCKED');
    expect(row.failedLoginAttempts).toBe(POLICY.maxAttempts);
  });

  it('a lock expires by itself at lockedUntil: the next right password works and resets the count', async () => {
    const u = await createUser(owner, org, 'USER', { status: 'LOCKED', lockedUntil: new Date(Date.now() - 1_000), failedLoginAttempts: 5 });
    const r = await signIn(app, { email: u.email, password: TEST_PASSWORD, ip: freshIp() }, POLICY);
    expect(r.ok).toBe(true);
    const row = await userRow(u.id);
    expect(row).toMatchObject({ status: 'ACTIVE', lockedUntil: null, failedLoginAttempts: 0 });
  });

  it('after an expired lock a wrong password starts counting again from one', async () => {
    const u = await createUser(owner, org, 'USER', { status: 'LOCKED', lockedUntil: new Date(Date.now() - 1_000), failedLoginAttempts: 5 });
    const r = await signIn(app, { email: u.email, password: 'wrong', ip: freshIp() }, POLICY);
    expect(r).toEqual({ ok: false, reason: 'wrong-password', lockedNow: false });
    expect(await userRow(u.id)).toMatchObject({ status: 'ACTIVE', lockedUntil: null, failedLoginAttempts: 1 });
  });

  it('an admin unlocks by setting the status back to ACTIVE (lockedUntil and the count are cleared)', async () => {
    const u = await createUser(owner, org, 'USER', { status: 'LOCKED', lockedUntil: new Date(Date.now() + 600_000), failedLoginAttempts: 5 });
    await owner.user.update({ where: { id: u.id }, data: { status: 'ACTIVE' } });
    expect(await userRow(u.id)).toMatchObject({ status: 'ACTIVE', lockedUntil: null, failedLoginAttempts: 0 });
    expect((await signIn(app, { email: u.email, password: TEST_PASSWORD, ip: freshIp() }, POLICY)).ok).toBe(true);
  });

  it('an admin lock (status LOCKED without an end) holds until unlocked', async () => {
    // A lockedUntil left in the past by an old lock does not make a new lock expire at once.
    const u = await createUser(owner, org, 'USER', { lockedUntil: new Date(Date.now() - 3_600_000) });
    await owner.user.update({ where: { id: u.id }, data: { status: 'LOCKED' } });
    expect((await userRow(u.id)).lockedUntil).toBeNull();
    expect(await signIn(app, { email: u.email, password: TEST_PASSWORD, ip: freshIp() }, POLICY)).toEqual({ ok: false, reason: 'locked' });
  });

  it('a disabled account is refused with the right password', async () => {
    const u = await createUser(owner, org, 'ADMIN', { status: 'INACTIVE' });
    expect(await signIn(app, { email: u.email, password: TEST_PASSWORD, ip: freshIp() }, POLICY)).toEqual({ ok: false, reason: 'inactive' });
  });
});

describe('per-IP throttle (PostgreSQL, shared by every app instance)', () => {
  const policy: SignInPolicy = { ...POLICY, ipMaxAttempts: 6, maxAttempts: 100 };

  it('blocks an IP after ipMaxAttempts failures across accounts and instances, with the same answer', async () => {
    const ip = freshIp();
    // A second "instance": its own connection pool on the same database.
    const other = secondInstance;
    const users = await Promise.all([createUser(owner, org), createUser(owner, org), createUser(owner, org)]);
    const results: SignInResult[] = [];
    for (let i = 0; i < policy.ipMaxAttempts; i++) {
      results.push(await signIn(i % 2 ? app : other, { email: users[i % 3]!.email, password: 'wrong', ip }, policy));
    }
    expect(results.map(failed)).toEqual(Array(policy.ipMaxAttempts).fill('wrong-password'));
    verify.mockClear();
    // Blocked now: a right password and an unknown email get the same answer, after one verify each.
    expect(await signIn(other, { email: users[0]!.email, password: TEST_PASSWORD, ip }, policy)).toEqual({ ok: false, reason: 'throttled' });
    expect(await signIn(app, { email: 'nobody@test.example', password: 'x', ip }, policy)).toEqual({ ok: false, reason: 'throttled' });
    expect(verify).toHaveBeenCalledTimes(2);
    // Another IP is unaffected.
    expect((await signIn(app, { email: users[0]!.email, password: TEST_PASSWORD, ip: freshIp() }, policy)).ok).toBe(true);
    const row = await owner.loginThrottle.findUniqueOrThrow({ where: { ip } });
    expect(row.blockedUntil!.getTime()).toBeGreaterThan(Date.now() + (policy.ipBlockMinutes - 1) * 60_000);
  });

  it('counts a parallel burst exactly: no more than ipMaxAttempts passwords are ever checked', async () => {
    const ip = freshIp();
    const u = await createUser(owner, org);
    const results = await Promise.all(Array.from({ length: 15 }, () => signIn(app, { email: u.email, password: 'wrong', ip }, policy)));
    expect(results.filter((r) => !r.ok && r.reason === 'wrong-password')).toHaveLength(policy.ipMaxAttempts);
    expect(results.filter((r) => !r.ok && r.reason === 'throttled')).toHaveLength(15 - policy.ipMaxAttempts);
  });

  it('successful sign-ins do not use up the budget; the block and the window end on time', async () => {
    const ip = freshIp();
    const u = await createUser(owner, org);
    for (let i = 0; i < 10; i++) expect((await signIn(app, { email: u.email, password: TEST_PASSWORD, ip }, policy)).ok).toBe(true);
    expect((await owner.loginThrottle.findUniqueOrThrow({ where: { ip } })).attempts).toBe(0);

    for (let i = 0; i <= policy.ipMaxAttempts; i++) await signIn(app, { email: u.email, password: 'wrong', ip }, policy);
    expect(failed(await signIn(app, { email: u.email, password: TEST_PASSWORD, ip }, policy))).toBe('throttled');
    // Time passes: the block and the window are over.
    await owner.loginThrottle.update({ where: { ip }, data: { blockedUntil: new Date(Date.now() - 1_000), windowStart: new Date(Date.now() - 16 * 60_000) } });
    expect((await signIn(app, { email: u.email, password: TEST_PASSWORD, ip }, policy)).ok).toBe(true);
    expect(await owner.loginThrottle.findUniqueOrThrow({ where: { ip } })).toMatchObject({ attempts: 0, blockedUntil: null });
  });

  it('prunes IPs whose window and block are over, and only those', async () => {
    const [spent, blocked, recent] = [freshIp(), freshIp(), freshIp()];
    const old = new Date(Date.now() - 60 * 60_000);
    await owner.loginThrottle.createMany({
      data: [
        { ip: spent, attempts: 3, windowStart: old },
        { ip: blocked, attempts: 21, windowStart: old, blockedUntil: new Date(Date.now() + 60_000) },
        { ip: recent, attempts: 2 },
      ],
    });
    await inActorTransaction(app, SYSTEM_ACTOR, (tx) => pruneLoginThrottle(tx, policy));
    const left = (await owner.loginThrottle.findMany({ where: { ip: { in: [spent, blocked, recent] } } })).map((r) => r.ip).sort();
    expect(left).toEqual([blocked, recent].sort());
  });

  it('the throttle table is out of reach of every tenant but the system', async () => {
    expect(await owner.loginThrottle.count()).toBeGreaterThan(0);
    for (const role of ['ADMIN', 'USER', 'VIEWER'] as const) {
      const rows = await withTenant({ role, orgId: org.id, userId: null }, () => app.loginThrottle.findMany());
      expect(rows, role).toEqual([]);
    }
    // The tenant-facing login claiming superadmin or system scope: still nothing.
    for (const role of ['SUPERADMIN', 'system']) {
      const rows = await secondRaw.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT set_config('app.role', ${role}, true)`;
        return tx.loginThrottle.findMany();
      });
      expect(rows, role).toEqual([]);
    }
  });
});
