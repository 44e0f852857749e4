import path from 'node:path';
import type { Server } from 'node:http';
import { ConfigError, parseConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { loadOrCreateDevSecrets } from './dev-secrets.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { migrateUp } from './db/migrate.js';
import { createPrisma } from './db/client.js';
import { deriveAppPassword, deriveSystemPassword, ensureAppLogin, ensureSystemLogin } from './db/app-role.js';
import { createTenantPrisma } from './db/tenant-context.js';
import { buildApp } from './app.js';
import { seedDemo } from './domain/seed/seed-demo.js';
import { SYSTEM_ACTOR } from './domain/shared/actor.js';

// config -> database (embedded or DATABASE_URL) -> migrate -> seed -> app -> listen
async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env, () => loadOrCreateDevSecrets(path.resolve(path.dirname(process.env.PGDATA_DIR || '.data/postgres'))));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger(config.LOG_LEVEL);

  const cleanups: Array<() => Promise<void>> = [];
  let shuttingDown = false;
  const shutdown = async (signal: string, code = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    for (const fn of cleanups.reverse()) {
      await fn().catch((err) => log.error({ err }, 'error during shutdown'));
    }
    log.info('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let database: DatabaseHandle;
  try {
    database = await openDatabase(config, log);
  } catch (e) {
    log.fatal({ err: e }, 'could not open the database');
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
  cleanups.push(() => database.stop());

  try {
    const applied = await migrateUp(database.url);
    log.info({ applied }, applied.length ? 'migrations applied' : 'migrations current');

    // Migrations ran as the owner; the app connects as a role that row-level security binds.
    const appUrl = config.DATABASE_APP_URL ?? (await ensureAppLogin(database.url, deriveAppPassword(config.SESSION_SECRET), { log }));
    const base = createPrisma(appUrl);
    cleanups.push(() => base.$disconnect());
    // System-wide work (sign-in, key lookup, sessions, seeds, superadmins) on a login of its own.
    const systemUrl = config.DATABASE_SYSTEM_URL ?? (await ensureSystemLogin(database.url, deriveSystemPassword(config.SESSION_SECRET), { log }));
    const systemBase = createPrisma(systemUrl);
    cleanups.push(() => systemBase.$disconnect());
    const db = createTenantPrisma(base, systemBase);
    const systemDb = createTenantPrisma(systemBase);

    const seed = await seedDemo(systemDb, SYSTEM_ACTOR, {
      adminEmail: config.ADMIN_EMAIL,
      adminPassword: config.ADMIN_PASSWORD,
      demoPassword: config.DEMO_PASSWORD,
      withDemoData: config.SEED_DEMO,
    });

    const built = await buildApp({ config, db, databaseUrl: appUrl, systemDb, systemDatabaseUrl: systemUrl, log });
    cleanups.push(() => built.close());

    const server: Server = await new Promise((resolve, reject) => {
      const s = built.app.listen(config.PORT, config.HOST, () => resolve(s)).on('error', reject);
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 5_000).unref();
        }),
    );
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    const lines = [
      '',
      `  Realmgate is running: http://${host}:${port}/admin`,
      `  Sign in as ${seed.adminEmail}${seed.adminPassword ? ` with password ${seed.adminPassword}` : config.ADMIN_PASSWORD ? ' with ADMIN_PASSWORD' : ' (password printed at first start)'}`,
    ];
    if (seed.demoPassword) lines.push(`  Demo users (every role, see README) sign in with password ${seed.demoPassword}`);
    if (seed.adminPassword || seed.demoPassword) lines.push('  These generated passwords are shown only once: keep them.');
    lines.push('');
    process.stdout.write(`${lines.join('\n')}\n`);
    log.info({ port, embeddedDatabase: database.embedded }, 'listening');
  } catch (e) {
    log.fatal({ err: e }, 'start failed');
    process.stderr.write(`Start failed: ${(e as Error).message}\n`);
    await shutdown('startup-failure', 1);
  }
}

void main();
