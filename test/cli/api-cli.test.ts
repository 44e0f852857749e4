import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../setup/test-database.js';
import { createOrg, createUser } from '../support/factories.js';
import { hashApiKey } from '../../src/domain/api-keys/api-key-secret.js';
import { runCli } from './run-cli.js';

/** The API's CLI commands on a real database: --json output, one clear stderr line and exit 1 on bad input. */
let t: TestDatabase;
let env: Record<string, string>;
const PEPPER = 'cli-test-pepper-0123456789abcdef0123456789';

beforeAll(async () => {
  t = await freshDatabase('api_cli');
  env = { DATABASE_URL: t.url, LOG_LEVEL: 'warn', API_KEY_PEPPER: PEPPER, SESSION_SECRET: 's'.repeat(40), ENCRYPTION_KEY: 'a'.repeat(64) };
});
afterAll(async () => {
  await t?.drop();
});

describe('realmgate keys / quota / users', () => {
  it('issues, lists, rotates and revokes keys; the secret is hashed with the server pepper', async () => {
    const org = await createOrg(t.db, { documentQuota: 10 });
    const u = await createUser(t.db, org, 'ADMIN');
    const issued = await runCli(['keys', 'issue', '--user', u.email, '--name', 'ci', '--scopes', 'models:read,tenant:read', '--json'], env);
    expect(issued.code, issued.stderr).toBe(0);
    const body = JSON.parse(issued.stdout);
    const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: body.apiKey.id } });
    expect(row.keyHash).toBe(hashApiKey(PEPPER, body.secret));
    const list = await runCli(['keys', 'list', '--user', u.email, '--json'], env);
    expect(JSON.parse(list.stdout)[0].id).toBe(body.apiKey.id);
    expect(list.stdout).not.toContain(body.secret);
    const rotated = await runCli(['keys', 'rotate', body.apiKey.id, '--grace', '0', '--json'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const revoked = await runCli(['keys', 'revoke', JSON.parse(rotated.stdout).apiKey.id], env);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/Revoked/);
    const stats = await runCli(['quota', 'stats', '--org', org.id, '--json'], env);
    expect(JSON.parse(stats.stdout).metrics.some((m: { metric: string }) => m.metric === 'DOCUMENTS')).toBe(true);
  });

  it('creates a superadmin, unlocks and gives temporary passwords', async () => {
    const created = await runCli(['users', 'create-superadmin', '--email', 'ops@platform.example', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).user.role).toBe('SUPERADMIN');
    expect((await runCli(['users', 'create-superadmin', '--email', 'ops@platform.example'], env)).code).toBe(1);
    const org = await createOrg(t.db);
    const u = await createUser(t.db, org, 'USER', { status: 'LOCKED' });
    expect((await runCli(['users', 'unlock', u.email], env)).code).toBe(0);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: u.id } })).status).toBe('ACTIVE');
    const temp = await runCli(['users', 'temporary-password', u.email, '--json'], env);
    expect(JSON.parse(temp.stdout).password.length).toBeGreaterThan(11);
  });

  it('bad input: one clear line on stderr and exit code 1', async () => {
    for (const args of [
      ['keys', 'issue', '--user', 'nobody@x.example', '--name', 'x'],
      ['keys', 'issue', '--user', 'a@b.c', '--name', 'x', '--scopes', 'root'],
      ['keys', 'revoke', 'not-a-uuid'],
      ['quota', 'stats'],
      ['quota', 'reset', '00000000-0000-4000-8000-000000000000', '--generation', 'x'],
    ]) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().length, args.join(' ')).toBeGreaterThan(0);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
