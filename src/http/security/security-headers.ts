import crypto from 'node:crypto';
import helmet from 'helmet';
import type { ServerResponse } from 'node:http';
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
    res.locals.cspNonce = nextNonce();
    next();
  };
  const apply = helmetHeaders(options);
  const headers: RequestHandler = (_req, res, next) => {
    apply(res, res.locals.cspNonce!);
    next();
  };
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

/**
 * The same headers as securityHeaders, for an answer that is JSON and never
 * a static asset (the gateway lane, src/http/gateway-lane.ts, which answers
 * without Express): helmet's headers with a fresh nonce, and no-store.
 */
export function jsonSecurityHeaders(options: { production: boolean }): (res: ServerResponse) => void {
  const apply = helmetHeaders(options);
  return (res) => {
    apply(res, nextNonce());
    res.setHeader('Cache-Control', 'no-store');
  };
}

/** Helmet configured for Realmgate, worked out once (fixedHeaders). */
function helmetHeaders(options: { production: boolean }): (res: ServerResponse, nonce: string) => void {
  return fixedHeaders(
    helmet({
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
    }),
  );
}

const NONCE_BYTES = 16;
const nonceSource = Buffer.alloc(NONCE_BYTES * 256);
let nonceAt = nonceSource.length;

/**
 * A fresh CSP nonce: 16 bytes from the system CSPRNG, base64. The bytes are
 * drawn 4 KiB at a time and each 16 used once: a randomBytes call per request
 * cost more than the rest of the security headers together.
 */
function nextNonce(): string {
  if (nonceAt === nonceSource.length) {
    crypto.randomFillSync(nonceSource);
    nonceAt = 0;
  }
  const nonce = nonceSource.toString('base64', nonceAt, nonceAt + NONCE_BYTES);
  nonceAt += NONCE_BYTES;
  return nonce;
}

/** Stands for the response's nonce while helmet's answer is worked out once. */
const NONCE_MARK = 'realmgate-nonce-mark';

/**
 * Helmet's headers, worked out once at start-up and then set on every answer
 * with its nonce. Helmet derives the same headers for every request (only the
 * nonce differs) but rebuilds the policy string on each one: about a twentieth
 * of the API's CPU per call, on a path a gateway takes thousands of times a
 * second. The headers are exactly helmet's: it runs once against a recorder.
 */
function fixedHeaders(helmetMiddleware: RequestHandler): (res: ServerResponse, nonce: string) => void {
  const set: Array<[string, string | [string, string]]> = [];
  const removed: string[] = [];
  const recorder = {
    locals: { cspNonce: NONCE_MARK },
    setHeader(name: string, value: unknown) {
      const text = String(value);
      const at = text.indexOf(NONCE_MARK);
      set.push([name, at < 0 ? text : [text.slice(0, at), text.slice(at + NONCE_MARK.length)]]);
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let synchronous = false;
  helmetMiddleware({} as Parameters<RequestHandler>[0], recorder as unknown as Parameters<RequestHandler>[1], () => (synchronous = true));
  if (!synchronous) throw new Error('helmet did not finish synchronously: its headers cannot be worked out once');
  return (res, nonce) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, typeof value === 'string' ? value : value[0] + nonce + value[1]);
  };
}
