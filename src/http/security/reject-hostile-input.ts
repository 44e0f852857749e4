import type { RequestHandler } from 'express';
import { AppError } from '../../domain/shared/app-error.js';

// Keys AdminJS would unflatten onto an object's prototype chain.
const POLLUTING = /(^|\.)(__proto__|constructor|prototype)(\.|$)/;

function hostile(value: unknown): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? 'NUL byte in a value' : null;
  if (Array.isArray(value)) {
    for (const v of value) {
      const why = hostile(v);
      if (why) return why;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (POLLUTING.test(k)) return `field name not allowed: ${k}`;
      if (k.includes('\u0000')) return 'NUL byte in a field name';
      const why = hostile(v);
      if (why) return why;
    }
  }
  return null;
}

/**
 * The panel's JSON API answers hostile input with 400 before AdminJS sees it:
 * payload or query keys that would reach an object's prototype
 * (`__proto__.x`, `constructor.prototype.x`) and NUL bytes, which no column
 * stores (PostgreSQL refuses them in text). Mount after the body parser.
 */
export function rejectHostileInput(): RequestHandler {
  return (req, _res, next) => {
    const why = (req.path.includes('\u0000') || decodeSafe(req.path).includes('\u0000') ? 'NUL byte in the path' : null)
      ?? hostile(req.query) ?? hostile((req as { fields?: unknown }).fields) ?? hostile(req.body);
    if (why) return next(new AppError('INVALID', `Invalid request: ${why}`));
    next();
  };
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
