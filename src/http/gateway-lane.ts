import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';
import { observeHttp, type Metrics } from './metrics.js';

/**
 * The gateway's calls (POST /api/v1/usage, the reservations, Portkey's hooks,
 * GET /api/v1/models and /quota) answered without Express, by the same
 * handlers.
 *
 * Why: Express makes every request and answer an instance of its own classes
 * (Object.setPrototypeOf on Node's objects, in its init middleware), and V8
 * then runs every later access to them on a slow path. Measured on the hot
 * tenant's POST /usage (`npm run bench:usage`): that alone cost about 0.3 ms of
 * app CPU per request, and Express with the app-wide middleware about 40% of
 * all the app's CPU per request; the router's walk itself costs little.
 *
 * What a request taken here goes through is what Express would run for it,
 * minus what provably does nothing for it:
 * - the app-wide middleware of app.ts: metrics (observeHttp, labelled with the
 *   route's pattern), the security headers (jsonSecurityHeaders: the same
 *   headers), compression (the same middleware, for GETs: it skips every
 *   POST) and the CSRF check (it does nothing for a request without a cookie,
 *   Origin or Sec-Fetch-Site: the lane takes no other);
 * - then the route's own handlers, given by the routes file (request log, body
 *   parser, the route), and its error handler.
 *
 * It takes only a GET or POST to one of its paths, spelled exactly (no query
 * string, no percent-encoding in a path parameter), with an Authorization
 * header and none of Cookie, Origin or Sec-Fetch-Site. Anything else goes to Express,
 * which answers it as before: the lane changes how fast, never what.
 *
 * The handlers given here get Node's own request and response, with what
 * Express's router would have set on them (params, query, ip, originalUrl,
 * baseUrl): they may use Node's API and those fields, not Express's helpers
 * (res.json, res.status, req.get). test/api/gateway-lane.test.ts runs every
 * route of the lane and compares its answers with Express's.
 */
export class GatewayLane {
  private readonly exact = new Map<string, LaneRoute>();
  private readonly withParam: LaneRoute[] = [];

  constructor(private readonly options: {
    metrics: Metrics;
    /** sets the app-wide security headers on an answer (jsonSecurityHeaders) */
    securityHeaders: (res: ServerResponse) => void;
    /** Express's compiled 'trust proxy' setting (app.get('trust proxy fn')), for req.ip */
    trustProxy: (addr: string, i: number) => boolean;
    /** the app's compression middleware, which app.ts runs for GETs */
    compress: RequestHandler;
  }) {}

  /**
   * Adds a route: `path` as Express writes it, absolute ('/api/v1/usage',
   * '/api/v1/usage/reservations/:id/settle': at most one parameter), `mount`
   * the path its router is mounted at (req.baseUrl, as Express would set it).
   */
  route(method: 'GET' | 'POST', path: string, mount: string, handlers: RequestHandler[], onError: ErrorRequestHandler): void {
    const all = method === 'GET' ? [this.options.compress, ...handlers] : handlers;
    const at = path.indexOf('/:');
    if (at < 0) {
      this.exact.set(`${method} ${path}`, { method, label: path, mount, handlers: all, onError });
      return;
    }
    const end = path.indexOf('/', at + 2);
    const suffix = end < 0 ? '' : path.slice(end);
    if (suffix.includes('/:')) throw new Error(`gateway lane: ${path} has more than one parameter`);
    this.withParam.push({ method, label: path, mount, handlers: all, onError, prefix: path.slice(0, at + 1), param: path.slice(at + 2, end < 0 ? undefined : end), suffix });
  }

  /** The server's request listener: the lane's requests here, every other to `app`. */
  listener(app: Express): RequestListener {
    return (req, res) => {
      if (!this.take(req, res)) app(req, res);
    };
  }

  /** Serves the request and returns true when it is one of the lane's; false, untouched, when it is not. */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    if (method !== 'POST' && method !== 'GET') return false;
    const h = req.headers;
    if (h.authorization === undefined || h.cookie !== undefined || h.origin !== undefined || h['sec-fetch-site'] !== undefined) return false;
    const url = req.url ?? '';
    let route = this.exact.get(`${method} ${url}`);
    let params: Record<string, string> = {};
    if (!route) {
      for (const r of this.withParam) {
        if (r.method !== method || !url.startsWith(r.prefix!) || !url.endsWith(r.suffix!)) continue;
        const value = url.slice(r.prefix!.length, url.length - r.suffix!.length);
        if (!value || value.includes('/') || value.includes('%') || value.includes('?')) continue;
        route = r;
        params = { [r.param!]: value };
        break;
      }
      if (!route) return false;
    }
    const lr = req as LaneRequest;
    lr.originalUrl = url;
    lr.baseUrl = route.mount;
    lr.params = params;
    lr.query = {};
    lr.ip = proxyaddr(req, this.options.trustProxy);
    observeHttp(this.options.metrics, method, res, () => route.label);
    this.options.securityHeaders(res);
    run(route, req as unknown as Request, res as unknown as Response);
    return true;
  }
}

interface LaneRoute {
  method: 'GET' | 'POST';
  /** the route's pattern: the metrics label */
  label: string;
  mount: string;
  handlers: RequestHandler[];
  onError: ErrorRequestHandler;
  prefix?: string;
  param?: string;
  suffix?: string;
}

/** What Express's router sets on a request, set by the lane (Express's own types name them). */
type LaneRequest = IncomingMessage & { originalUrl: string; baseUrl: string; params: Record<string, string>; query: Record<string, string>; ip: string };

/** Runs the handlers in order as Express's router would: next(err), or a throw, goes to the error handler. */
function run(route: LaneRoute, req: Request, res: Response): void {
  let i = 0;
  let failed = false;
  const fail = (err: unknown) => {
    if (failed) return; // the error handler itself failed or called next: Express's last resort, a bare 500
    failed = true;
    try {
      route.onError(err, req, res, () => lastResort(res));
    } catch {
      lastResort(res);
    }
  };
  const next = (err?: unknown): void => {
    if (err) return fail(err);
    const handler = route.handlers[i++];
    if (!handler) return fail(new Error(`gateway lane: ${route.label} answered nothing`));
    try {
      const out = handler(req, res, next) as unknown;
      if (out instanceof Promise) out.catch(fail);
    } catch (e) {
      fail(e);
    }
  };
  next();
}

function lastResort(res: Response): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = 500;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end('{"error":{"code":"INTERNAL","message":"Internal server error"}}');
}
