import path from 'node:path';
import os from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import type { PrismaClient } from '@prisma/client';
import { parseConfig, ConfigError } from '../config.js';
import { loadOrCreateDevSecrets } from '../dev-secrets.js';
import { issueApiKey } from '../domain/api-keys/issue-api-key.js';
import { revokeApiKey } from '../domain/api-keys/revoke-api-key.js';
import { rotateApiKey, MAX_GRACE_SECONDS } from '../domain/api-keys/rotate-api-key.js';
import { API_KEY_SCOPES } from '../domain/api-keys/api-key-scopes.js';
import { toSafeApiKey } from '../domain/api-keys/safe-api-key.js';
import { quotaStats } from '../domain/quotas/quota-stats.js';
import { resetQuota } from '../domain/quotas/reset-quota.js';
import { asSystem } from '../domain/seed/system-transaction.js';
import type { Actor } from '../domain/shared/actor.js';
import { AppError } from '../domain/shared/app-error.js';
import { createSuperadmin } from '../domain/users/create-superadmin.js';
import { setTemporaryPassword } from '../domain/users/set-temporary-password.js';
import { unlockUser } from '../domain/users/unlock-user.js';
import { CliError } from './cli-database.js';

type WithDatabase = (fn: (db: PrismaClient) => Promise<number>) => Promise<void>;

const out = (s: string) => process.stdout.write(`${s}\n`);
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), 2);
const actor = (what: string): Actor => ({ kind: 'system', reason: `realmgate-cli ${what} (${safeUser()}@${os.hostname()})`.slice(0, 200) });
function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The API key pepper, from the environment or (outside production) the generated dev secrets, as the server reads it. */
function pepper(): string {
  try {
    return parseConfig(process.env, () => loadOrCreateDevSecrets(path.resolve(path.dirname(process.env.PGDATA_DIR || '.data/postgres')))).API_KEY_PEPPER;
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}

const scopesArg = (v: string) => {
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (!list.length || bad.length) throw new InvalidArgumentError(`unknown scope(s) ${bad.join(', ')}; choose from ${API_KEY_SCOPES.join(', ')}`);
  return list;
};
const dateArg = (v: string) => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('must be a date like 2027-01-01T00:00:00Z');
  return d;
};
const intArg = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return n;
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** For positional ids checked inside an action: a CliError is one line on stderr, exit 1. */
const idOf = (v: string) => {
  if (!UUID.test(v)) throw new CliError(`Not an id (uuid): ${v}`);
  return v;
};
const uuidArg = (v: string) => {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) throw new InvalidArgumentError('must be an id (uuid)');
  return v;
};

async function userIdByEmail(db: PrismaClient, email: string): Promise<string> {
  const user = await asSystem(db, (tx) => tx.user.findFirst({ where: { email: { equals: email.trim(), mode: 'insensitive' } }, select: { id: true } }));
  if (!user) throw new CliError(`No user with the email ${email}`);
  return user.id;
}

/** keys issue|list|revoke|rotate, quota stats|reset, users create-superadmin|unlock|temporary-password: the API's domain functions, for operators. */
export function registerApiCommands(program: Command, withDatabase: WithDatabase): void {
  const keys = program.command('keys').description('API keys');
  keys
    .command('issue')
    .description('issue a key for a user; prints the secret once')
    .requiredOption('--user <email>', "the key's owner")
    .requiredOption('--name <name>', 'a name people recognise')
    .option('--scopes <list>', `comma-separated, from ${API_KEY_SCOPES.join(', ')}`, scopesArg, ['models:read', 'usage:write'])
    .option('--expires <date>', 'expiry (ISO 8601)', dateArg)
    .option('--max-tokens <n>', 'monthly token budget', intArg(1, 2_147_483_647))
    .option('--json', 'print as JSON')
    .action((o) =>
      withDatabase(async (db) => {
        const userId = await userIdByEmail(db, o.user);
        const r = await issueApiKey(db, actor('keys issue'), { name: o.name, userId, scopes: o.scopes, expiresAt: o.expires, maxTokens: o.maxTokens }, { pepper: pepper() });
        out(o.json ? json(r) : `Issued ${r.apiKey.id} (${r.apiKey.prefix}…). Secret, shown this once:\n${r.secret}`);
        return 0;
      }),
    );
  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option('--user <email>', 'only keys of this owner')
    .option('--json', 'print as JSON')
    .action((o) =>
      withDatabase(async (db) => {
        const userId = o.user ? await userIdByEmail(db, o.user) : undefined;
        const rows = await asSystem(db, (tx) => tx.apiKey.findMany({ where: userId ? { userId } : {}, orderBy: { createdAt: 'desc' }, take: 1000 }));
        const safe = rows.map(toSafeApiKey);
        if (o.json) out(json(safe));
        else for (const k of safe) out(`${k.id}  ${k.prefix}…  ${k.name}  ${k.scopes.join(',')}  ${k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt < new Date() ? 'expired' : 'live'}`);
        return 0;
      }),
    );
  keys
    .command('revoke <id>')
    .description('revoke a key (refused from the next request)')
    .option('--json', 'print as JSON')
    .action((id: string, o) =>
      withDatabase(async (db) => {
        const r = await revokeApiKey(db, actor('keys revoke'), { apiKeyId: idOf(id) });
        out(o.json ? json(r) : r.alreadyRevoked ? `${id} was already revoked.` : `Revoked ${id}.`);
        return 0;
      }),
    );
  keys
    .command('rotate <id>')
    .description('new secret with the same settings; the old one works for the grace period')
    .option('--grace <seconds>', 'how long the old secret keeps working', intArg(0, MAX_GRACE_SECONDS), 3600)
    .option('--json', 'print as JSON')
    .action((id: string, o) =>
      withDatabase(async (db) => {
        const r = await rotateApiKey(db, actor('keys rotate'), { apiKeyId: idOf(id), graceSeconds: o.grace }, { pepper: pepper() });
        out(o.json ? json(r) : `Rotated to ${r.apiKey.id}. New secret, shown this once:\n${r.secret}`);
        return 0;
      }),
    );

  // `quota reconcile` is registered in realmgate.ts: one `quota` command for both.
  const quota = program.commands.find((c) => c.name() === 'quota') ?? program.command('quota').description('quota counters');
  quota
    .command('stats')
    .description('usage against every quota of an organization, user or key')
    .option('--org <id>', 'organization id', uuidArg)
    .option('--user <email>', 'user email')
    .option('--key <id>', 'API key id', uuidArg)
    .option('--json', 'print as JSON')
    .action((o) =>
      withDatabase(async (db) => {
        const given = [o.org, o.user, o.key].filter(Boolean).length;
        if (given !== 1) throw new CliError('Give exactly one of --org, --user, --key');
        const subject = o.org ? { subjectType: 'ORGANIZATION' as const, subjectId: o.org } : o.key ? { subjectType: 'API_KEY' as const, subjectId: o.key } : { subjectType: 'USER' as const, subjectId: await userIdByEmail(db, o.user) };
        const s = await quotaStats(db, actor('quota stats'), subject);
        if (o.json) out(json(s));
        else {
          out(`${s.subject.subjectType} ${s.subject.name}`);
          for (const m of s.metrics) out(`  ${m.metric.padEnd(14)} ${m.period.padEnd(8)} used ${m.used} of ${m.limit ?? 'unlimited'}${m.percentUsed === null ? '' : ` (${m.percentUsed}%)`}  counter ${m.counterId ?? '-'} generation ${m.generation ?? '-'}`);
        }
        return 0;
      }),
    );
  quota
    .command('reset <counterId>')
    .description('compare-and-set reset of one counter (generation from `quota stats`)')
    .requiredOption('--generation <n>', 'the generation quota stats showed', intArg(0, 2_147_483_647))
    .option('--json', 'print as JSON')
    .action((counterId: string, o) =>
      withDatabase(async (db) => {
        const r = await resetQuota(db, actor('quota reset'), { counterId: idOf(counterId), expectedGeneration: o.generation });
        out(o.json ? json(r) : `Reset ${r.counterId}: ${r.usedBefore} used before, now generation ${r.generation}.`);
        return 0;
      }),
    );

  const users = program.command('users').description('user accounts');
  users
    .command('create-superadmin')
    .description('create a platform superadmin (password from REALMGATE_NEW_PASSWORD, else generated and shown once)')
    .requiredOption('--email <email>', 'their email')
    .option('--json', 'print as JSON')
    .action((o) =>
      withDatabase(async (db) => {
        const r = await createSuperadmin(db, actor('users create-superadmin'), { email: o.email, password: process.env.REALMGATE_NEW_PASSWORD || undefined });
        out(o.json ? json(r) : `Created superadmin ${r.user.email}${r.password ? `. Temporary password, shown this once (change it at first sign-in):\n${r.password}` : '.'}`);
        return 0;
      }),
    );
  users
    .command('unlock <email>')
    .description('unlock a user and clear failed sign-ins')
    .option('--json', 'print as JSON')
    .action((email: string, o) =>
      withDatabase(async (db) => {
        const r = await unlockUser(db, actor('users unlock'), { userId: await userIdByEmail(db, email) });
        out(o.json ? json(r) : `Unlocked ${r.email}.`);
        return 0;
      }),
    );
  users
    .command('temporary-password <email>')
    .description('set a generated temporary password (shown once); the user must change it at the next sign-in')
    .option('--json', 'print as JSON')
    .action((email: string, o) =>
      withDatabase(async (db) => {
        const r = await setTemporaryPassword(db, actor('users temporary-password'), { userId: await userIdByEmail(db, email) });
        out(o.json ? json({ userId: r.user.id, email: r.user.email, password: r.password, sessionsEnded: r.sessionsEnded }) : `Temporary password for ${r.user.email}, shown this once:\n${r.password}`);
        return 0;
      }),
    );
  void AppError;
}
