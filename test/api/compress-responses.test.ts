/**
 * compress-responses.ts on a real HTTP server: a body sent whole is
 * compressed in one call (br or gzip, as the client rates them) with its
 * exact Content-Length; small, already-encoded, no-transform and
 * incompressible answers go out as they are; a body written in parts still
 * streams through the compression middleware; writes are never compressed.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedCoding, compressResponses } from '../../src/http/compress-responses.js';

const big = { rows: Array.from({ length: 400 }, (_, i) => ({ id: i, name: `row ${i}`, tokens: i * 7 })) };
const bigText = JSON.stringify(big);
let server: Server;
let port: number;

beforeAll(async () => {
  const app = express();
  app.use(compressResponses());
  app.get('/big', (_req, res) => res.json(big));
  app.get('/small', (_req, res) => res.json({ ok: true }));
  app.get('/no-transform', (_req, res) => res.set('Cache-Control', 'no-transform').json(big));
  app.get('/png', (_req, res) => res.type('image/png').send(Buffer.alloc(4096, 7)));
  app.get('/encoded', (_req, res) => res.set('Content-Encoding', 'gzip').type('application/json').send(Buffer.from('not really gzip, but the handler says so'.repeat(40))));
  app.get('/parts', (_req, res) => {
    res.type('text/csv');
    for (let i = 0; i < 200; i++) res.write(`${i},row ${i},${i * 7}\r\n`);
    res.end();
  });
  app.get('/end-callback', (_req, res) => {
    res.type('application/json');
    res.end(bigText, () => undefined);
  });
  app.post('/big', (_req, res) => res.json(big));
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** One request with exactly these headers (fetch would add its own Accept-Encoding and decode). */
function get(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('compressResponses', () => {
  it('compresses a whole body in one piece, with its Content-Length, in the coding the client rates highest', async () => {
    const gz = await get('/big', { 'accept-encoding': 'gzip, deflate' });
    expect([gz.status, gz.headers['content-encoding'], gz.headers.vary, gz.headers['transfer-encoding']]).toEqual([200, 'gzip', 'Accept-Encoding', undefined]);
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    expect(gz.body.length).toBeLessThan(bigText.length / 3);
    expect(JSON.parse(gunzipSync(gz.body).toString())).toEqual(big);

    const br = await get('/big', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(JSON.parse(brotliDecompressSync(br.body).toString())).toEqual(big);

    const callback = await get('/end-callback', { 'accept-encoding': 'gzip' });
    expect(JSON.parse(gunzipSync(callback.body).toString())).toEqual(big);
  });

  it('sends as they are: no Accept-Encoding, identity, small bodies, no-transform, images, bodies already encoded, and writes', async () => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'gzip;q=0, br;q=0' }] as Record<string, string>[]) {
      const res = await get('/big', headers);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(res.body.toString())).toEqual(big);
    }
    const small = await get('/small', { 'accept-encoding': 'gzip' });
    expect([small.headers['content-encoding'], small.body.toString()]).toEqual([undefined, '{"ok":true}']);
    expect((await get('/no-transform', { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBeUndefined();
    const png = await get('/png', { 'accept-encoding': 'gzip' });
    expect([png.headers['content-encoding'], png.body.length]).toEqual([undefined, 4096]);
    const encoded = await get('/encoded', { 'accept-encoding': 'gzip' });
    expect(encoded.body.toString()).toBe('not really gzip, but the handler says so'.repeat(40));
    const posted = await get('/big', { 'accept-encoding': 'gzip' }, 'POST');
    expect([posted.status, posted.headers['content-encoding']]).toEqual([200, undefined]);
  });

  it('streams a body written in parts through the compression middleware', async () => {
    const res = await get('/parts', { 'accept-encoding': 'gzip' });
    expect([res.headers['content-encoding'], res.headers['transfer-encoding']]).toEqual(['gzip', 'chunked']);
    const lines = gunzipSync(res.body).toString().trim().split('\r\n');
    expect(lines).toHaveLength(200);
    expect(lines[199]).toBe('199,row 199,1393');
  });

  it('HEAD answers carry no body', async () => {
    const res = await get('/big', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect([res.status, res.body.length]).toEqual([200, 0]);
  });
});

describe('acceptedCoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['identity', null],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['gzip;q=0, br;q=0.1', 'br'],
    ['*', 'br'],
    ['*;q=0.3, gzip;q=0.5', 'gzip'],
    ['br;q=0, *', 'gzip'],
    ['gzip;q=0, br;q=0, *;q=1', null],
    ['GZIP; Q=0.8', 'gzip'],
  ] as const)('%s -> %s', (header, coding) => {
    expect(acceptedCoding(header)).toBe(coding);
  });
});
