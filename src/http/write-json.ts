import type { IncomingMessage, ServerResponse } from 'node:http';
import etag from 'etag';
import fresh from 'fresh';

/**
 * Writes `data` as a JSON answer with `status`, straight to the response:
 * Express's res.json would also hash the body for an ETag, which only a GET
 * can use (a cache revalidating it) and which every POST of the gateway hot
 * path would pay for. GETs go through writeJsonAnswer.
 */
export function writeJson(res: ServerResponse, status: number, data: unknown): void {
  const body = JSON.stringify(data);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * An API answer: a POST's (or any other change's) as writeJson writes it; a
 * GET's or HEAD's as Express's res.json does: with a weak ETag of the body
 * (Express's default 'etag fn'), 304 without a body when the caller's
 * If-None-Match (or If-Modified-Since) says it has it, no body for HEAD.
 * Written on Node's own response so that the gateway lane (gateway-lane.ts)
 * and Express answer alike.
 */
export function writeJsonAnswer(req: IncomingMessage, res: ServerResponse, status: number, data: unknown): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return writeJson(res, status, data);
  const body = Buffer.from(JSON.stringify(data), 'utf8');
  const tag = etag(body, { weak: true });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.setHeader('ETag', tag);
  const lastModified = res.getHeader('Last-Modified');
  if (((status >= 200 && status < 300) || status === 304) && fresh(req.headers, { etag: tag, 'last-modified': typeof lastModified === 'string' ? lastModified : undefined })) {
    res.statusCode = 304;
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.removeHeader('Transfer-Encoding');
    res.end();
    return;
  }
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}
