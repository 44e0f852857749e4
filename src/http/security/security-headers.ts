import crypto from 'node:crypto';
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import { hardenAdminHtml } from './html-nonce.js';

declare module 'express-serve-static-core' {
  interface Locals {
    /** This response's CSP nonce for inline scripts. */
    cspNonce?: string;
  }
}

/** Static bundles of the panel: cacheable, and never carry anything of the user's. */
const STATIC_ASSET = /^\/admin\/frontend\/assets\//;

/**
 * Security headers on every answer (helmet): a Content-Security-Policy the
 * AdminJS frontend and our components run under (inline scripts by nonce,
 * styles inline because styled-components injects them at run time), no
 * framing (frame-ancestors 'none' and X-Frame-Options DENY), nosniff, a strict
 * Referrer-Policy, HSTS in production; and Cache-Control: no-store on every
 * answer but the static bundles, so no signed-in page or one-time secret is
 * kept by a browser or a proxy.
 */
export function securityHeaders(options: { production: boolean }): RequestHandler[] {
  const nonce: RequestHandler = (_req, res, next) => {
    res.locals.cspNonce = crypto.randomBytes(16).toString('base64');
    next();
  };
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'", (_req, res) => `'nonce-${(res as unknown as { locals: { cspNonce?: string } }).locals.cspNonce}'`],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    noSniff: true,
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: options.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  const noStoreAndNonces: RequestHandler = (req, res, next) => {
    if (!STATIC_ASSET.test(req.path)) res.setHeader('Cache-Control', 'no-store');
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      const type = String(res.getHeader('content-type') ?? '');
      if (typeof body === 'string' && (type.includes('text/html') || (!type && /^\s*<!doctype html/i.test(body)))) {
        return send(hardenAdminHtml(body, res.locals.cspNonce!));
      }
      return send(body);
    };
    next();
  };
  return [nonce, headers, noStoreAndNonces];
}
