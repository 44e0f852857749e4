import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { usageTenant, type UsageTenant } from '../support/usage-fixtures.js';

/**
 * The gateway lane (src/http/gateway-lane.ts) answers the gateway's POSTs
 * without Express. Every route it serves is sent here twice: as a gateway
 * sends it (the lane takes it) and with a query string (the lane never takes
 * one: Express answers, and the routes ignore unknown query parameters). The two answers must be alike: status,
 * headers, and the body (exactly for refusals, field for field in shape for
 * records whose ids and instants differ).
 */
let t: AppDatabase;
let app: RunningApp;
let server: http.Server;
let base: string;
/** The paths of the requests that reached Express rather than the lane. */
const toExpress: string[] = [];

beforeAll(async () => {
  t = await appDatabase('gateway_lane');
  app = await startRunningApp(t);
  server = http.createServer((req, res) => {
    if (app.built.lane.take(req, res)) return;
    toExpress.push(`${req.method} ${req.url}`);
    app.built.app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await app?.close();
  await t?.drop();
});

interface Answer { status: number; headers: Record<string, string>; text: string; body: unknown }

type Init = { method?: 'GET' | 'POST'; secret?: string; body?: string; headers?: Record<string, string> };

async function send(path: string, init: Init): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...(init.secret ? { authorization: `Bearer ${init.secret}` } : {}), ...init.headers },
    body: init.body,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* kept as text */
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name] = value));
  return { status: res.status, headers, text, body };
}

/** Sent through the lane, then through Express: asserts which took each. */
async function both(path: string, init: (through: 'lane' | 'express') => Init): Promise<[Answer, Answer]> {
  const before = toExpress.length;
  const lane = await send(path, init('lane'));
  expect(toExpress.length, `${path} was served by the lane`).toBe(before);
  const express = await send(`${path}?via=express`, init('express'));
  expect(toExpress.slice(before), `${path}? was served by Express`).toEqual([`${init('express').method ?? 'POST'} ${path}?via=express`]);
  return [lane, express];
}

const VOLATILE = new Set(['date', 'x-request-id', 'content-length', 'keep-alive', 'connection']);
/** Headers that must match: all but the per-answer ones, with the CSP nonce blanked. */
function stableHeaders(a: Answer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.headers)) if (!VOLATILE.has(k)) out[k] = k === 'content-security-policy' ? v.replace(/'nonce-[^']+'/, "'nonce-*'") : v;
  return out;
}
/** The body's shape: every key and the type of every value. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return v === null ? 'null' : typeof v;
}

function alike([lane, express]: [Answer, Answer], exact: boolean): void {
  expect(lane.status).toBe(express.status);
  expect(stableHeaders(lane)).toEqual(stableHeaders(express));
  expect(lane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  if (exact) expect(lane.body).toEqual(express.body);
  else expect(shape(lane.body)).toEqual(shape(express.body));
}

const uuid = () => crypto.randomUUID();

describe('the gateway lane answers as Express does', () => {
  let tenant: UsageTenant;
  let secret: string;
  beforeAll(async () => {
    tenant = await usageTenant(t.db);
    secret = (await tenant.key({ maxTokens: 100_000 })).secret;
    // Enough models for a GET /models answer over compression's 1 KB threshold (before any request caches the catalog).
    for (let i = 0; i < 6; i++) {
      const m = await t.db.aiModel.create({ data: { name: `Lane model ${i} ${uuid()}`, provider: 'openai', providerModelId: `lane-${i}-${uuid()}`, role: 'chat' } });
      await t.db.organizationModelAccess.create({ data: { organizationId: tenant.org.id, modelId: m.id, isEnabledForUsers: true, firstEnabledAt: new Date() } });
    }
  });
  const usage = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: tenant.model.providerModelId, inputTokens: 3, outputTokens: 4, idempotencyKey: uuid(), ...extra });

  it('POST /usage: recorded (201), replayed, and every refusal: bad body, malformed JSON, not JSON, too large, bad key, no scope, over quota', async () => {
    const recorded = await both('/api/v1/usage', () => ({ secret, body: usage() }));
    expect(recorded[0].status).toBe(201);
    alike(recorded, false);

    const once = { lane: usage(), express: usage() };
    await both('/api/v1/usage', (through) => ({ secret, body: once[through] }));
    const replayed = await both('/api/v1/usage', (through) => ({ secret, body: once[through] }));
    expect(replayed[0].body).toMatchObject({ replayed: true });
    alike(replayed, false);

    const cases: Array<[string, number, { secret?: string; body?: string; headers?: Record<string, string> }]> = [
      ['negative tokens', 400, { secret, body: usage({ inputTokens: -1 }) }],
      ['an unknown field', 400, { secret, body: usage({ colour: 'red' }) }],
      ['malformed JSON', 400, { secret, body: '{"model":' }],
      ['not JSON', 415, { secret, body: 'model=x', headers: { 'content-type': 'text/plain' } }],
      ['too large', 413, { secret, body: usage({ metadata: { pad: 'x'.repeat(200_000) } }) }],
      ['an unknown key', 401, { secret: 'rgk_not_a_key', body: usage() }],
      ['a malformed Authorization header', 401, { body: usage(), headers: { authorization: 'Basic abc' } }],
    ];
    for (const [name, status, init] of cases) {
      const answers = await both('/api/v1/usage', () => init);
      expect(answers[0].status, name).toBe(status);
      alike(answers, true);
    }

    const readOnly = (await tenant.key({ scopes: ['models:read'] })).secret;
    const forbidden = await both('/api/v1/usage', () => ({ secret: readOnly, body: usage() }));
    expect(forbidden[0].status).toBe(403);
    alike(forbidden, true);

    const spent = (await tenant.key({ maxTokens: 5 })).secret;
    const over = await both('/api/v1/usage', () => ({ secret: spent, body: usage({ inputTokens: 10 }) }));
    expect(over[0].status).toBe(429);
    expect(over[0].headers['retry-after']).toBeDefined();
    alike(over, true);
  });

  it('the reservations: hold, extend, settle, release, and a conflict', async () => {
    const hold = () => JSON.stringify({ model: tenant.model.providerModelId, estimatedTokens: 20, idempotencyKey: uuid() });
    const held = await both('/api/v1/usage/reservations', () => ({ secret, body: hold() }));
    expect(held[0].status).toBe(201);
    alike(held, false);
    const ids = { lane: (held[0].body as { id: string }).id, express: (held[1].body as { id: string }).id };
    const on = (step: string, body: unknown) => async () => {
      // Each side acts on its own reservation: the paths differ by the id, so they are sent one by one.
      const before = toExpress.length;
      const lane = await send(`/api/v1/usage/reservations/${ids.lane}/${step}`, { secret, body: JSON.stringify(body) });
      const express = await send(`/api/v1/usage/reservations/${ids.express}/${step}?via=express`, { secret, body: JSON.stringify(body) });
      expect(toExpress.slice(before)).toEqual([`POST /api/v1/usage/reservations/${ids.express}/${step}?via=express`]);
      return [lane, express] as [Answer, Answer];
    };
    const extended = await on('extend', { additionalTokens: 5 })();
    expect(extended[0].status).toBe(200);
    alike(extended, false);
    const settled = await on('settle', { inputTokens: 10, outputTokens: 11 })();
    expect(settled[0].body).toMatchObject({ status: 'SETTLED' });
    alike(settled, false);
    const again = await on('release', {})();
    expect(again[0].status).toBe(409);
    alike(again, false); // each names its own reservation
    expect((again[0].body as { error: unknown }).error).toMatchObject({ code: 'CONFLICT', message: (again[1].body as { error: { message: string } }).error.message });

    const unknown = uuid();
    const notFound = await both(`/api/v1/usage/reservations/${unknown}/release`, () => ({ secret, body: '{}' }));
    expect(notFound[0].status).toBe(404);
    alike(notFound, true);
    const badId = await both('/api/v1/usage/reservations/not-a-uuid/settle', () => ({ secret, body: JSON.stringify({ inputTokens: 1, outputTokens: 1 }) }));
    expect(badId[0].status).toBe(400);
    alike(badId, true);
  });

  it("Portkey's hooks: a verdict, and the refusals answered 200 (bad key, malformed body)", async () => {
    const payload = (requestId: string) => JSON.stringify({
      request: { json: { model: tenant.model.providerModelId, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, isStreamingRequest: false },
      response: { json: {}, statusCode: null }, provider: 'openai', requestType: 'chatComplete', metadata: { realmgate_request_id: requestId }, eventType: 'beforeRequestHook',
    });
    const verdict = await both('/api/v1/integrations/portkey/before', () => ({ secret, body: payload(uuid()) }));
    expect(verdict[0].body).toMatchObject({ verdict: true });
    alike(verdict, false);
    for (const init of [{ secret: 'rgk_not_a_key', body: payload(uuid()) }, { secret, body: '{"request":' }]) {
      const refused = await both('/api/v1/integrations/portkey/before', () => init);
      expect(refused[0].status).toBe(200);
      expect(refused[0].body).toMatchObject({ verdict: false });
      alike(refused, true);
    }
  });

  it('GET /models and GET /quota: the answer, its ETag and 304, compression, and the refusals', async () => {
    // GET /quota names the instant it read ("at"): its ETag changes with every answer, so it is never 304.
    for (const [path, stable] of [['/api/v1/models', true], ['/api/v1/quota', false]] as const) {
      const same = (answers: [Answer, Answer]) => {
        if (stable) return alike(answers, true);
        const [lane, express] = answers.map((a) => ({ ...a, headers: { ...a.headers, etag: a.headers.etag ? 'W/"*"' : '' } })) as unknown as [Answer, Answer];
        alike([lane, express], false);
      };
      const plain = await both(path, () => ({ method: 'GET', secret }));
      expect(plain[0].status, path).toBe(200);
      expect(plain[0].headers.etag).toMatch(/^W\//);
      same(plain);
      // fetch asks for gzip: the models list (over 1 KB) comes compressed, as Express's compression writes it.
      if (stable) expect([plain[0].headers['content-encoding'], plain[0].headers.vary]).toEqual(['gzip', 'Accept-Encoding']);

      // (fetch adds Cache-Control: no-cache to a conditional request unless it has one, and no-cache is never fresh)
      const cached = await both(path, () => ({ method: 'GET', secret, headers: { 'if-none-match': plain[0].headers.etag!, 'cache-control': 'max-age=0' } }));
      expect(cached[0].status, path).toBe(stable ? 304 : 200);
      if (stable) expect(cached[0].text).toBe('');
      same(cached);

      const identity = await both(path, () => ({ method: 'GET', secret, headers: { 'accept-encoding': 'identity' } }));
      expect(identity[0].headers['content-encoding']).toBeUndefined();
      same(identity);
      const refused = await both(path, () => ({ method: 'GET', secret: 'rgk_not_a_key' }));
      expect(refused[0].status).toBe(401);
      alike(refused, true);
    }
  });

  it('leaves to Express what it does not take: a cookie, an Origin, another spelling of the path, another method', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/api/v1/usage', { cookie: 'x=1' }, 'POST'],
      ['/api/v1/usage', { origin: 'https://evil.example' }, 'POST'],
      ['/api/v1/usage', { 'sec-fetch-site': 'same-origin' }, 'POST'],
      ['/api/v1/usage/', {}, 'POST'],
      ['/api/v1/USAGE', {}, 'POST'],
      ['/api/v1/usage/reservations/a%2Fb/release', {}, 'POST'],
      ['/api/v1/usage', {}, 'PUT'],
      ['/api/v1/models', {}, 'HEAD'],
      ['/api/v1/models?limit=1', {}, 'GET'],
    ];
    for (const [path, headers, method] of cases) {
      const before = toExpress.length;
      const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, ...headers }, body: method === 'GET' || method === 'HEAD' ? undefined : usage() });
      await res.arrayBuffer();
      expect(toExpress.slice(before), `${method} ${path} ${JSON.stringify(headers)}`).toEqual([`${method} ${path}`]);
    }
    // Without a key the lane has nothing to serve: Express answers the 401.
    const before = toExpress.length;
    const anonymous = await fetch(`${base}/api/v1/usage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: usage() });
    expect(anonymous.status).toBe(401);
    expect(toExpress.slice(before)).toEqual(['POST /api/v1/usage']);
  });

  it("counts the lane's answers in /metrics under the route's pattern", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/realmgate_http_requests_total\{method="POST",route="\/api\/v1\/usage",status="201"\} \d+/);
    expect(text).toMatch(/realmgate_http_requests_total\{method="POST",route="\/api\/v1\/usage\/reservations\/:id\/settle",status="200"\} \d+/);
    expect(text).toMatch(/realmgate_http_requests_total\{method="POST",route="\/api\/v1\/integrations\/portkey\/before",status="200"\} \d+/);
    expect(text).toMatch(/realmgate_http_requests_total\{method="GET",route="\/api\/v1\/models",status="304"\} \d+/);
  });
});
