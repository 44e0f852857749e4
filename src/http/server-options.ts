import type { ServerOptions } from 'node:http';

/**
 * How long an idle keep-alive connection stays open, and how long a request's
 * headers may take. Node's default keeps idle connections 5 s, less than the
 * 60 s idle timeout of the usual load balancers and of a gateway's connection
 * pool: the server then closes a connection at the moment the client reuses
 * it, and that request fails with a reset ("fetch failed", a 502 at the load
 * balancer). The server must outlast its clients, so it keeps them 65 s; the
 * headers timeout must exceed the keep-alive timeout (Node's documentation).
 */
export const HTTP_SERVER_OPTIONS: ServerOptions = { keepAliveTimeout: 65_000, headersTimeout: 66_000 };
