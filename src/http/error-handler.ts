import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { isAppError } from '../domain/shared/app-error.js';

/** Maps AppError codes to HTTP; anything else is logged and answered with a generic 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (isAppError(err)) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
      return;
    }
    // Body parsers and other http-errors: the client's fault, said as such (a
    // too-large body is 413, a malformed one 400), never a 500.
    const status = (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500 && !res.headersSent) {
      const message = status === 413 ? 'Request body too large' : status === 415 ? 'Unsupported content type' : 'Malformed request';
      res.status(status).json({ error: { code: 'INVALID', message } });
      return;
    }
    if (isBadValue(err) && !res.headersSent) {
      res.status(400).json({ error: { code: 'INVALID', message: 'A value in the request is not valid for its field' } });
      return;
    }
    log.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    if (res.headersSent) return;
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal server error' } });
  };
}

// Invalid text representation, datetime format/overflow, numeric out of range,
// bad byte sequence (NUL): the database refused a value the client sent.
const BAD_VALUE_SQLSTATES = new Set(['22P02', '22007', '22008', '22003', '22021', '22023', '2201B']);
// Prisma: value/type validation, malformed id (P2023), invalid value (P2007/P2009/P2033).
const BAD_VALUE_PRISMA = new Set(['P2007', 'P2009', 'P2023', 'P2033']);

/** A request value the client got wrong (a filter on a date with "yesterday", an id with a NUL): 400, not 500. */
function isBadValue(err: unknown): boolean {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && depth < 4; e = e.cause as Record<string, unknown> | undefined, depth++) {
    const name = (e.constructor as { name?: string } | undefined)?.name;
    if (name === 'PrismaClientValidationError') return true;
    if (typeof e.code === 'string' && (BAD_VALUE_PRISMA.has(e.code) || BAD_VALUE_SQLSTATES.has(e.code))) return true;
    const original = (e.meta as { driverAdapterError?: { cause?: { originalCode?: string; code?: string } } } | undefined)?.driverAdapterError?.cause;
    if (original && (BAD_VALUE_SQLSTATES.has(original.originalCode ?? '') || BAD_VALUE_SQLSTATES.has(original.code ?? ''))) return true;
    if (name === 'DriverAdapterError' && BAD_VALUE_SQLSTATES.has(((e.cause as { originalCode?: string }) ?? {}).originalCode ?? '')) return true;
  }
  return false;
}
