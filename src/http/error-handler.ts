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
    log.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    if (res.headersSent) return;
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal server error' } });
  };
}
