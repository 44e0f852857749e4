import client from 'prom-client';
import type { PrismaClient } from '@prisma/client';
import type { RequestHandler } from 'express';
import type { ServerResponse } from 'node:http';
import { inActorTransaction } from '../domain/shared/actor-transaction.js';

/**
 * The app's Prometheus metrics, one registry per app instance (tests build
 * several apps in one process). GET /metrics serves them (metrics-routes.ts).
 */
export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<'method' | 'route' | 'status'>;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  /**
   * Refusals for a limit, by code (QUOTA_EXCEEDED, RATE_LIMITED) and limit name.
   * The API's error handler counts every 429 AppError it answers (limit from
   * details.limit); count here yourself only refusals that are not answered that way.
   */
  quotaRefusals: client.Counter<'code' | 'limit'>;
  /** Failed sign-ins by channel (api, panel) and reason (wrong-password, locked, throttled, ...). */
  signInFailures: client.Counter<'channel' | 'reason'>;
}

export function createMetrics(db?: PrismaClient): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'realmgate_' });
  const httpRequests = new client.Counter({ name: 'realmgate_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [registry] });
  const httpDuration = new client.Histogram({
    name: 'realmgate_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const quotaRefusals = new client.Counter({ name: 'realmgate_quota_refusals_total', help: 'Requests refused for a quota or rate limit', labelNames: ['code', 'limit'] as const, registers: [registry] });
  const signInFailures = new client.Counter({ name: 'realmgate_sign_in_failures_total', help: 'Failed sign-ins by channel and reason', labelNames: ['channel', 'reason'] as const, registers: [registry] });

  if (db) {
    // Read at scrape time from PostgreSQL itself: the driver adapter's pool is not exposed,
    // and the server's view covers every instance's connections of this login.
    new client.Gauge({
      name: 'realmgate_db_connections',
      help: "This app login's connections to the database by state (active = in use, waiting = waiting on a lock)",
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const rows = await db.$queryRaw<{ active: number; idle: number; waiting: number }[]>`
          SELECT count(*) FILTER (WHERE state = 'active')::int AS active,
                 count(*) FILTER (WHERE state LIKE 'idle%')::int AS idle,
                 count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting
            FROM pg_stat_activity WHERE usename = current_user AND datname = current_database() AND pid <> pg_backend_pid()`.catch(() => []);
        const r = rows[0];
        if (!r) return;
        this.set({ state: 'active' }, r.active);
        this.set({ state: 'idle' }, r.idle);
        this.set({ state: 'waiting' }, r.waiting);
      },
    });
    new client.Gauge({
      name: 'realmgate_realm_migration_rows',
      help: 'Realm migration progress of the latest run: rows total and done (status label: RUNNING, COMPLETED, ...)',
      labelNames: ['kind', 'status'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const rows = await inActorTransaction(db, { kind: 'system', reason: 'metrics' }, (tx) =>
          tx.$queryRaw<{ status: string; total: number; done: number }[]>`
            SELECT r."status"::text AS status, r."rows_total" AS total, r."rows_done" AS done
              FROM "realm_migration_runs" AS r ORDER BY r."started_at" DESC LIMIT 1`,
        ).catch(() => []);
        const r = rows[0];
        if (!r) return;
        this.set({ kind: 'total', status: r.status }, r.total);
        this.set({ kind: 'done', status: r.status }, r.done);
      },
    });
  }
  return { registry, httpRequests, httpDuration, quotaRefusals, signInFailures };
}

/**
 * The hot path's admission batcher, read at scrape time: batches committed,
 * operations they decided (operations / batches is how well batching shares
 * each transaction's cost) and batches retried after a deadlock, a
 * serialization failure or an idempotency race.
 */
export function usageEngineMetrics(metrics: Metrics, stats: { readonly batches: number; readonly operations: number; readonly retries: number; readonly joined: number }): void {
  const counter = (name: string, help: string, read: () => number) =>
    new client.Counter({
      name, help, registers: [metrics.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter('realmgate_usage_batches_total', 'Usage batch transactions committed by this instance', () => stats.batches);
  counter('realmgate_usage_batch_operations_total', 'Usage operations (usage, hold, extend, settle, release) decided in committed batches', () => stats.operations);
  counter('realmgate_usage_batch_joined_total', 'Usage operations that joined a batch already waiting for its locks (counted in operations too)', () => stats.joined);
  counter('realmgate_usage_batch_retries_total', 'Usage batches run again after a deadlock, serialization failure or idempotency race', () => stats.retries);
}

/** Counts and times every request under the path it was routed by (the pattern, not the URL: bounded labels). */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    observeHttp(metrics, req.method, res, () => (req.route?.path ? `${req.baseUrl}${req.route.path}` : req.baseUrl ? `${req.baseUrl}/*` : 'unmatched'));
    next();
  };
}

/** Counts and times one answer when it is finished, labelled with its method, route pattern (`routeOf`) and status. */
export function observeHttp(metrics: Metrics, method: string, res: ServerResponse, routeOf: () => string): void {
  const end = metrics.httpDuration.startTimer();
  res.on('finish', () => {
    const labels = { method, route: routeOf(), status: String(res.statusCode) };
    metrics.httpRequests.inc(labels);
    end(labels);
  });
}
