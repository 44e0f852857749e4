import { Router } from 'express';
import type { AppDeps } from '../app.js';
import { migrationsCurrent } from '../db/migrate.js';

/** GET /healthz: the process is up. GET /readyz: the database answers and migrations are current. */
export function healthRoutes({ db }: Pick<AppDeps, 'db'>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  router.get('/readyz', async (_req, res) => {
    let database = 'ok';
    let migrations = 'current';
    try {
      await db.$queryRawUnsafe('SELECT 1');
      const current = await migrationsCurrent((sql) => db.$queryRawUnsafe(sql).then((rows) => ({ rows: rows as { name: string; checksum: string }[] })));
      if (!current) migrations = 'pending';
    } catch {
      database = 'unreachable';
      migrations = 'unknown';
    }
    const ready = database === 'ok' && migrations === 'current';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', database, migrations });
  });
  return router;
}
