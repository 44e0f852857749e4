import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';
import { writeJsonAnswer } from './write-json.js';
import { appErrorFromDatabase } from '../domain/shared/database-errors.js';
import { AppError, ERROR_CODES, isAppError, type ErrorCode } from '../domain/shared/app-error.js';

/** The one error body of the API: `{ error: { code, message, details } }`. */
export interface ErrorEnvelope {
  error: { code: ErrorCode | 'INTERNAL'; message: string; details?: Record<string, unknown> };
}

/** Status for a code, from the one table in src/domain/shared/app-error.ts. */
export const statusOf = (code: ErrorCode): number => ERROR_CODES[code].status;

/** Writes an AppError as the envelope; 429s carry Retry-After (seconds) from details.retryAfterSeconds. */
export function sendAppError(res: Response, err: AppError, metrics?: Pick<Metrics, 'quotaRefusals'>): void {
  if (err.status === 429) metrics?.quotaRefusals.inc({ code: err.code, limit: typeof err.details?.limit === 'string' ? err.details.limit : 'unnamed' });
  const retryAfter = err.details?.retryAfterSeconds;
  if (err.status === 429) res.setHeader('Retry-After', String(typeof retryAfter === 'number' && retryAfter > 0 ? Math.ceil(retryAfter) : 1));
  if (err.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="realmgate"');
  const body: ErrorEnvelope = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
  // As every answer: a POST's straight, a GET's with its ETag (write-json.ts).
  writeJsonAnswer(res.req, res, err.status, body);
}

type BodyParserError = { type?: string; status?: number; expose?: boolean };

/**
 * Errors of the body parser (raw-body / body-parser) as AppErrors: too large
 * 413, malformed JSON 400, unsupported charset or encoding 415. Anything else
 * is not ours to describe.
 */
function fromBodyParser(err: unknown): AppError | null {
  const e = err as BodyParserError | null;
  switch (e?.type) {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'Request body too large');
    case 'entity.parse.failed':
      return new AppError('INVALID', 'Malformed JSON body');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return new AppError('INVALID', 'Unreadable request body');
    default:
      return null;
  }
}

/**
 * The API's error handler: AppErrors (and body-parser errors) become the
 * envelope with their code's status; anything else is logged with the request
 * id and answered with a generic 500, never the message or a stack.
 */
export function apiErrorHandler(log: Logger, metrics?: Pick<Metrics, 'quotaRefusals'>): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = isAppError(err) ? err : (fromBodyParser(err) ?? appErrorFromDatabase(err));
    if (res.headersSent) {
      (req.log ?? log).error({ err }, 'error after the answer started');
      return;
    }
    if (known) return sendAppError(res, known, metrics);
    (req.log ?? log).error({ err }, 'unhandled error');
    const body: ErrorEnvelope = { error: { code: 'INTERNAL', message: 'Internal server error' } };
    writeJsonAnswer(req, res, 500, body);
  };
}

/** Unknown paths under /api/v1: the envelope, not Express's HTML page. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route ${req.method} ${req.baseUrl}${req.path}`));
};
