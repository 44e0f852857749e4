import express, { type RequestHandler } from 'express';
import { AppError } from '../domain/shared/app-error.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

const hasBody = (req: Parameters<RequestHandler>[0]) =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * JSON bodies only, up to `limit`: a body of another type is 415, a larger one
 * 413 (refused from Content-Length before it is read, or while streaming),
 * malformed JSON 400 (see errors.ts). A request without a body gets `{}`.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const onlyJson: RequestHandler = (req, _res, next) => {
    if (!hasBody(req)) return next();
    const type = req.headers['content-type'] ?? '';
    if (!JSON_TYPE.test(type)) return next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be application/json'));
    next();
  };
  const parse = express.json({ limit, strict: true, type: () => true });
  const parseIfBody: RequestHandler = (req, res, next) => (hasBody(req) ? parse(req, res, next) : next());
  const defaultBody: RequestHandler = (req, _res, next) => {
    if (req.body === undefined) req.body = {};
    next();
  };
  return [onlyJson, parseIfBody, defaultBody];
}
