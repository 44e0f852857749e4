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
    log.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    if (res.headersSent) return;
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal server error' } });
  };
}
