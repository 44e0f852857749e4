import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { requestLogging } from '../../src/http/request-logging.js';

/** An Express app with the request logger, on a real port, whose log lines are kept in memory. */
async function appWithLog(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const log = pino({ level }, sink);
  const app = express();
  app.use(...requestLogging(log));
  app.post('/made', (_req, res) => res.status(201).json({ ok: true }));
  app.get('/search', (req, res) => {
    req.log!.info({ found: 3 }, 'searched');
    res.json({ ok: true });
  });
  app.get('/missing', (_req, res) => res.status(404).json({}));
  app.get('/broken', (_req, res) => res.status(500).json({}));
  app.get('/slow', () => {}); // never answers: the client gives up
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { lines, base, server };
}

let open: Server | undefined;
afterEach(async () => {
  open?.closeAllConnections();
  await new Promise((r) => open?.close(r) ?? r(null));
});

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('request log lines', () => {
  it('one line per request with id, method, url, status and time; the X-Request-Id answered is the one logged', async () => {
    const { lines, base, server } = await appWithLog('info');
    open = server;
    const res = await fetch(`${base}/made`, { method: 'POST', headers: { authorization: 'Bearer rgk_secret_value', cookie: 'realmgate.sid=s%3Asecret' } });
    await settle();
    expect(res.status).toBe(201);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({ level: 30, msg: 'POST 201', req: { id: res.headers.get('x-request-id'), method: 'POST', url: '/made' }, res: { statusCode: 201 } });
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(line)).not.toMatch(/secret|authorization|cookie/i);
  });

  it("credentials in the query never reach a line; req.log's lines carry the request", async () => {
    const { lines, base, server } = await appWithLog('info');
    open = server;
    await fetch(`${base}/search?token=abc123&q=models&api_key=xyz`, { headers: { 'x-request-id': 'trace-42' } });
    await settle();
    expect(lines.map((l) => l.msg)).toEqual(['searched', 'GET 200']);
    for (const l of lines) expect(l.req).toEqual({ id: 'trace-42', method: 'GET', url: '/search?token=%5Bredacted%5D&q=models&api_key=%5Bredacted%5D' });
    expect(lines[0]).toMatchObject({ found: 3 });
    expect(JSON.stringify(lines)).not.toMatch(/abc123|xyz/);
  });

  it('4xx are warnings, 5xx errors, a request the client gave up on a warning; below the level nothing is written', async () => {
    const { lines, base, server } = await appWithLog('info');
    open = server;
    await fetch(`${base}/missing`);
    await fetch(`${base}/broken`);
    await fetch(`${base}/slow`, { signal: AbortSignal.timeout(200) }).catch(() => {});
    await expect.poll(() => lines.length).toBe(3);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[40, 'GET 404'], [50, 'GET 500'], [40, 'GET aborted']]);

    const quiet = await appWithLog('warn');
    await fetch(`${quiet.base}/made`, { method: 'POST' });
    await fetch(`${quiet.base}/missing`);
    await settle();
    quiet.server.closeAllConnections();
    quiet.server.close();
    expect(quiet.lines.map((l) => l.msg)).toEqual(['GET 404']);
  });
});
