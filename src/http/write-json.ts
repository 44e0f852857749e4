import type { Response } from 'express';

/**
 * Writes `data` as a JSON answer with `status`, straight to the response:
 * Express's res.json would also hash the body for an ETag, which only a GET
 * can use (a cache revalidating it) and which every POST of the gateway hot
 * path would pay for. GETs keep res.json (route.ts).
 */
export function writeJson(res: Response, status: number, data: unknown): void {
  const body = JSON.stringify(data);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
