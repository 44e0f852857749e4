import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';
// A caller's id is taken as is when it is short and plain; anything else is replaced,
// so a header cannot inject into logs or audit rows.
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id: the caller's X-Request-Id when well formed, otherwise a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const value = Array.isArray(given) ? given[0] : given;
  return value && ACCEPTED_ID.test(value) ? value : crypto.randomUUID();
}

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id (requestIdOf), set by requestLogging. */
    id?: string;
    /** A logger whose every line carries { req: { id, method, url } }. */
    log?: Logger;
  }
}

/** The level of the line that ends a request: 5xx are errors (the error handler logs the error itself), 4xx warnings. */
const levelOf = (statusCode: number): 'error' | 'warn' | 'info' => (statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info');

/**
 * Sets req.id and the X-Request-Id answer header, and logs one line when the
 * answer is finished (or the client went away first): `{ req: { id, method,
 * url }, res: { statusCode }, responseTime, msg: "POST 201" }`. Nothing but
 * these fields is logged: no header (Authorization, Cookie, Set-Cookie), no
 * body; the url loses credential-like query values.
 *
 * Written for the gateway hot path, which passes here thousands of times a
 * second: the per-request child logger (`req.log`) is made only when
 * something logs through it, and the closing line is built only when its
 * level is enabled. (pino-http, used before, built a child logger and its
 * serializers for every request: about a tenth of the API's CPU per call.)
 */
export function requestLogging(log: Logger): RequestHandler[] {
  const requestLog: RequestHandler = (req, res, next) => {
    const id = requestIdOf(req);
    const started = performance.now();
    req.id = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    let child: Logger | undefined;
    const reqFields = () => ({ id, method: req.method, url: stripQuerySecrets(req.originalUrl ?? req.url ?? '') });
    Object.defineProperty(req, 'log', { configurable: true, get: () => (child ??= log.child({ req: reqFields() })) });
    let done = false;
    const end = (aborted: boolean) => {
      if (done) return;
      done = true;
      res.removeListener('finish', onFinish);
      res.removeListener('close', onClose);
      const level = aborted ? 'warn' : levelOf(res.statusCode);
      if (!log.isLevelEnabled(level)) return;
      const responseTime = Math.round(performance.now() - started);
      const fields = child ? { res: { statusCode: res.statusCode }, responseTime } : { req: reqFields(), res: { statusCode: res.statusCode }, responseTime };
      (child ?? log)[level](fields, aborted ? `${req.method} aborted` : `${req.method} ${res.statusCode}`);
    };
    const onFinish = () => end(false);
    const onClose = () => end(!res.writableFinished);
    res.on('finish', onFinish);
    res.on('close', onClose);
    next();
  };
  return [requestLog];
}

// Query parameters whose values are credentials never reach a log line.
const SECRET_PARAM = /^(token|access_token|refresh_token|api_key|apikey|key|secret|password)$/i;

function stripQuerySecrets(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) if (SECRET_PARAM.test(name)) params.set(name, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
}
