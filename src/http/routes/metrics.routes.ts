import crypto from 'node:crypto';
import { Router } from 'express';
import type { Metrics } from '../metrics.js';

const sameSecret = (a: string, b: string) => {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
};

/** GET /metrics in Prometheus text format; behind `Bearer METRICS_TOKEN` when that is set. */
export function metricsRoutes(metrics: Metrics, token: string | undefined): Router {
  const router = Router();
  router.get('/metrics', async (req, res, next) => {
    try {
      if (token) {
        const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
        if (!sameSecret(given, token)) {
          res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: { code: 'UNAUTHENTICATED', message: 'Metrics token required' } });
          return;
        }
      }
      res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
    } catch (err) {
      next(err);
    }
  });
  return router;
}
