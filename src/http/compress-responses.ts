import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import compression from 'compression';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Below this a body goes out as it is (the compression middleware's own threshold). */
const THRESHOLD = 1024;
/**
 * Up to this size a whole body is compressed in one synchronous call: about
 * 0.3 ms for a 100 KB page of JSON at these levels, 1.5 ms at the limit.
 * Larger bodies, and every body written in parts (CSV exports, files), go
 * through the streaming compression middleware on libuv's thread pool.
 */
const WHOLE_BODY_LIMIT = 512 * 1024;
const NO_TRANSFORM = /(?:^|,)\s*?no-transform\s*?(?:,|$)/i;
/** The types the answers sent whole carry (JSON, HTML, scripts, styles, SVG, CSV); images and archives are compressed already. */
const COMPRESSIBLE = /^(?:text\/|application\/(?:json|javascript|xml)\b|image\/svg\+xml\b)|\+(?:json|xml)\b/i;
/** Brotli at quality 4 (the compression middleware's default), gzip at level 1 (nginx's default). */
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };
const GZIP = { level: 1 };

type End = (chunk?: unknown, encoding?: unknown, callback?: unknown) => Response;

/**
 * Compression of GET and HEAD answers. A body handed over whole (res.json,
 * res.send: every panel and API answer) is compressed synchronously, in one
 * call, and sent with its Content-Length: the streaming middleware would
 * pass the same bytes through a zlib stream, several turns of the event loop
 * and a thread-pool hop each, which cost a 50-row usage page about 2.5 ms of
 * its 9 ms on this 2-core machine (bench:scale) for 0.3 ms of compressing.
 * Anything written in parts still streams through `compression`.
 */
export function compressResponses(): RequestHandler {
  const streaming = compression();
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const socketEnd = res.end as End;
    streaming(req, res, (err?: unknown) => {
      if (err) return next(err);
      const streamEnd = res.end as End;
      const streamWrite = res.write;
      let inParts = false;
      res.write = function (this: Response, ...args: Parameters<Response['write']>) {
        inParts = true;
        return streamWrite.apply(this, args);
      } as Response['write'];
      res.end = function (this: Response, chunk?: unknown, encoding?: unknown, callback?: unknown) {
        const body = inParts || res.headersSent ? null : wholeBody(chunk, encoding);
        const coding = body && body.length >= THRESHOLD && body.length <= WHOLE_BODY_LIMIT ? codingFor(req, res) : null;
        if (!body || !coding) return streamEnd.call(this, chunk, encoding, callback);
        varyOnEncoding(res);
        const packed = coding === 'br' ? brotliCompressSync(body, BROTLI) : gzipSync(body, GZIP);
        res.setHeader('Content-Encoding', coding);
        res.setHeader('Content-Length', packed.length);
        const done = typeof encoding === 'function' ? encoding : callback;
        return socketEnd.call(this, packed, done);
      } as Response['end'];
      next();
    });
  };
}

function wholeBody(chunk: unknown, encoding: unknown): Buffer | null {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return null;
}

/** The coding this answer may take: none when it is already encoded, says no-transform, is not compressible, or the client takes neither. */
function codingFor(req: IncomingMessage, res: ServerResponse): 'br' | 'gzip' | null {
  if (res.getHeader('Content-Encoding') || res.statusCode === 204 || res.statusCode === 304) return null;
  if (NO_TRANSFORM.test(String(res.getHeader('Cache-Control') ?? ''))) return null;
  const type = res.getHeader('Content-Type');
  if (typeof type !== 'string' || !COMPRESSIBLE.test(type)) return null;
  return acceptedCoding(req.headers['accept-encoding']);
}

/**
 * br or gzip, whichever the client's Accept-Encoding rates higher (br on a
 * tie, as the compression middleware prefers it); null when it takes neither.
 * A coding it does not name gets the rating of `*`, if it gives one.
 */
export function acceptedCoding(header: string | undefined): 'br' | 'gzip' | null {
  if (!header) return null;
  const rated = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((x) => x.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    if (name) rated.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(value) ? value : 0);
  }
  const rate = (coding: string) => rated.get(coding) ?? rated.get('*') ?? 0;
  const [br, gzip] = [rate('br'), rate('gzip')];
  if (br <= 0 && gzip <= 0) return null;
  return br >= gzip ? 'br' : 'gzip';
}

/** Adds Accept-Encoding to the answer's Vary header (unless it varies on everything already). */
function varyOnEncoding(res: ServerResponse): void {
  const current = res.getHeader('Vary');
  const fields = (Array.isArray(current) ? current.join(',') : String(current ?? '')).split(',').map((f) => f.trim()).filter(Boolean);
  if (fields.includes('*') || fields.some((f) => f.toLowerCase() === 'accept-encoding')) return;
  res.setHeader('Vary', [...fields, 'Accept-Encoding'].join(', '));
}
