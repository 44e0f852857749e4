import type { Request } from 'express';
import type { RequestMeta } from '../domain/audit/record-audit.js';

/**
 * Who-and-where for audit rows of an API change: the client address (right
 * behind a proxy only with TRUST_PROXY, see README) and the browser or client
 * name. Every route that changes data passes this to its domain call, so the
 * audit log has IP and browser for API changes as for panel ones.
 */
export function auditMetaOf(req: Request): RequestMeta {
  return { ip: req.ip ?? req.socket.remoteAddress ?? null, userAgent: (req.get('user-agent') ?? '').slice(0, 512) || null };
}
