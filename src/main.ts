import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, parseConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { loadOrCreateDevSecrets } from './dev-secrets.js';
import { stderr, stdout } from './lifecycle/bounded-output.js';
import { PHASE, Shutdown } from './lifecycle/shutdown.js';
import { whenParentGone } from './lifecycle/parent-watch.js';
import { HTTP_SERVER_OPTIONS } from './http/server-options.js';

// config -> claim the port -> (database ‖ load the app) -> migrate -> seed -> serve.
// Only light modules are imported statically: the app (AdminJS above all) loads
// while PostgreSQL starts, and a taken port fails the start before anything is created.

function readConfig(): Config {
  try {
    return parseConfig(process.env, () => loadOrCreateDevSecrets(process.env.PGDATA_DIR || '.data/postgres'));
  } catch (e) {
    if (e instanceof ConfigError) {
      stderr().write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

/** The app's modules, imported while the database starts. */
function loadApp() {
  return Promise.all([
    import('./app.js'),
    import('./db/client.js'),
    import('./db/app-role.js'),
    import('./db/tenant-context.js'),
    import('./domain/seed/seed-demo.js'),
    import('./domain/shared/actor.js'),
    import('./lifecycle/banner.js'),
    import('./domain/ledger/usage-partitions.js'),
    import('./domain/ledger/apply-retention.js'),
  ]).then(([app, client, appRole, tenant, seed, actor, banner, partitions, retention]) => ({ ...app, ...client, ...appRole, ...tenant, ...seed, ...actor, ...banner, ...partitions, ...retention }));
}

function listen(server: http.Server, config: Config): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting, lets requests in flight finish, closes keep-alive connections as they turn idle. */
function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger(config.LOG_LEVEL);
  const shutdown = new Shutdown({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS, log, stderr: stderr() });
  shutdown.install();
  // Under npm, npm is what a process manager signals: when it is gone, so are we.
  if (process.env.npm_lifecycle_event) whenParentGone(() => void shutdown.begin('npm exited', 0));

  // Claim the port first: nothing is created (cluster, admin, generated passwords) on a start that cannot serve.
  const starting: http.RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"status":"starting"}');
  };
  const server = http.createServer(HTTP_SERVER_OPTIONS, starting);
  let open = 0;
  server.on('connection', (socket) => {
    open++;
    socket.once('close', () => open--);
  });
  try {
    await listen(server, config);
  } catch (e) {
    stderr().write(`Cannot listen on ${config.HOST}:${config.PORT}: ${(e as Error).message}\n`);
    process.exit(1);
  }
  shutdown.add(PHASE.requests, 'http server', () => closeServer(server), () => `${open} connection${open === 1 ? '' : 's'} open`);

  const app = loadApp();
  app.catch(() => {}); // awaited below; a failure must not count as unhandled meanwhile

  let generated: { adminEmail: string; adminPassword?: string; demoPassword?: string } | undefined;
  try {
    const { openDatabase } = await import('./db/database.js');
    const database = await openDatabase(config, log, {
      onSpawn: (pg) => {
        shutdown.add(PHASE.database, 'embedded PostgreSQL', () => pg.stop());
        shutdown.onEmergency(() => pg.stopNow());
      },
    });
    if (shutdown.stopping) return;

    const { migrateUp } = await import('./db/migrate.js');
    const applied = await migrateUp(database.url);
    log.info({ applied }, applied.length ? 'migrations applied' : 'migrations current');

    const m = await app;
    // Retention is the owner's work (only a table's owner drops its partitions), and
    // a client of its own costs a query compiler at every start: only when configured.
    if (config.USAGE_RETENTION_MONTHS != null || config.CHAT_CONTENT_RETENTION_DAYS != null) {
      const ownerDb = m.createPrisma(database.url, { max: 2 });
      try {
        const retention = await m.applyRetention(ownerDb, m.SYSTEM_ACTOR, {
          usageRetentionMonths: config.USAGE_RETENTION_MONTHS ?? null,
          chatContentRetentionDays: config.CHAT_CONTENT_RETENTION_DAYS ?? null,
        });
        if (retention.droppedPartitions.length || retention.blankedMessages) log.info(retention, 'retention applied');
      } finally {
        await ownerDb.$disconnect();
      }
    }
    if (shutdown.stopping) return;

    // Migrations ran as the owner; the app connects as a role that row-level security binds.
    const appUrl = config.DATABASE_APP_URL ?? (await m.ensureAppLogin(database.url, m.deriveAppPassword(config.SESSION_SECRET), { log }));
    const base = m.createPrisma(appUrl);
    shutdown.add(PHASE.clients, 'database clients', () => base.$disconnect());
    // Nothing at start queries as the app login: connect it (its query compiler, its pool)
    // alongside the seeding, so that the first request after the banner does not pay for it.
    const appConnected = base.$connect();
    appConnected.catch(() => {}); // awaited below
    // System-wide work (sign-in, key lookup, sessions, seeds, superadmins, the usage hot path) on a login of its own.
    const systemUrl = config.DATABASE_SYSTEM_URL ?? (await m.ensureSystemLogin(database.url, m.deriveSystemPassword(config.SESSION_SECRET), { log }));
    const systemBase = m.createPrisma(systemUrl);
    shutdown.add(PHASE.clients, 'system database client', () => systemBase.$disconnect());
    const db = m.createTenantPrisma(base, systemBase);
    const systemDb = m.createTenantPrisma(systemBase);
    // Ledger partitions ahead, before anything writes usage: rg_ensure_usage_partitions
    // (0012_scale) runs with the owner's rights, is granted to the system login and is
    // safe when several instances start at once.
    await m.ensureUsagePartitions(systemBase, m.SYSTEM_ACTOR);
    if (shutdown.stopping) return;

    const seed = await m.seedDemo(systemDb, m.SYSTEM_ACTOR, {
      adminEmail: config.ADMIN_EMAIL,
      adminPassword: config.ADMIN_PASSWORD,
      demoPassword: config.DEMO_PASSWORD,
      withDemoData: config.SEED_DEMO,
    });
    if (seed.adminPassword || seed.demoPassword) generated = seed;

    await appConnected;
    const built = await m.buildApp({ config, db, databaseUrl: appUrl, systemDb, systemDatabaseUrl: systemUrl, log });
    shutdown.add(PHASE.app, 'app', () => built.close());
    if (shutdown.stopping) return;
    server.off('request', starting);
    server.on('request', built.listener);

    const { port } = server.address() as AddressInfo;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    const banner = m.bannerText({
      url: `http://${host}:${port}/admin`,
      seed,
      adminPasswordFromEnv: Boolean(config.ADMIN_PASSWORD),
      demoPasswordFromEnv: Boolean(config.DEMO_PASSWORD),
      demoUsers: await m.existingDemoUsers(db),
    });
    stdout().write(banner);
    generated = undefined;
    log.info({ port, embeddedDatabase: database.embedded, startupMs: Math.round(performance.now()) }, 'listening');
  } catch (e) {
    startFailed(e, log, generated);
    await shutdown.begin('startup-failure', 1);
  }
}

/** A start that fails after generating passwords still prints them: they are never lost. */
function startFailed(e: unknown, log: Logger, generated?: { adminEmail: string; adminPassword?: string; demoPassword?: string }): void {
  log.fatal({ err: e }, 'start failed');
  const lines = [`Start failed: ${(e as Error).message}`];
  if (generated?.adminPassword) lines.push(`The superadmin ${generated.adminEmail} was created with password ${generated.adminPassword}: keep it.`);
  if (generated?.demoPassword) lines.push(`The demo users were created with password ${generated.demoPassword}: keep it.`);
  stderr().write(`${lines.join('\n')}\n`);
}

void main();
