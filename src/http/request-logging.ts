import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
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

/**
 * Sets req.id and the X-Request-Id answer header, then logs the request with
 * pino-http: every line `req.log` writes carries { req: { id, method, url } }.
 * The serializers name the fields they keep, so no header (Authorization,
 * Cookie, Set-Cookie) and no body ever reaches a log line.
 */
export function requestLogging(log: Logger): RequestHandler[] {
  const setId: RequestHandler = (req, res, next) => {
    const id = requestIdOf(req);
    (req as IncomingMessage & { id: string }).id = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
  const http = pinoHttp({
    logger: log,
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? requestIdOf(req),
    quietReqLogger: false,
    serializers: {
      req: (req: { id: string; method: string; url: string; raw?: IncomingMessage }) => ({ id: req.id, method: req.method, url: stripQuerySecrets(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${res.statusCode}`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${res.statusCode}`,
  });
  return [setId, http as unknown as RequestHandler];
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
