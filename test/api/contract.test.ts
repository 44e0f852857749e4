import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import openapiTS, { astToString } from 'openapi-typescript';
import createClient from 'openapi-fetch';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { createWorld, makeRow, type World } from '../support/admin-fixtures.js';
import { ApiClient, issueKey } from '../support/api-client.js';
import { API_KEY_SCOPES } from '../../src/domain/api-keys/api-key-scopes.js';
import type { ResourceName } from '../../src/domain/access/permissions.js';

/**
 * The contract and the walls: the served OpenAPI document passes Redocly's
 * linter, a client generated from it (openapi-typescript + openapi-fetch)
 * drives the API, every role and key scope against every operation with
 * another organization's ids gets 403/404 and never that organization's data,
 * and random bodies, ids, headers and query strings never get a 500 nor write
 * anything when refused.
 */
const run = promisify(execFile);
let t: AppDatabase;
let app: RunningApp;
let w: World;
let doc: any;
let tmp: string;

beforeAll(async () => {
  t = await appDatabase('api_contract');
  w = await createWorld(t.db);
  app = await startRunningApp(t);
  doc = await (await fetch(`${app.baseUrl}/api/v1/openapi.json`)).json();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-openapi-'));
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

type Op = { method: string; path: string; operationId: string; op: any };
const operations = (): Op[] =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([p, item]) => Object.entries(item).map(([method, op]) => ({ method, path: p, operationId: op.operationId, op })));

describe('the OpenAPI document', () => {
  it('passes Redocly lint without errors, every operation has an operationId, examples and error answers', async () => {
    const file = path.join(tmp, 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const bin = path.resolve('node_modules/.bin/redocly');
    const result = await run(bin, ['lint', file, '--format=json'], { maxBuffer: 20 * 1024 * 1024 }).catch((e: { stdout: string; code: number }) => ({ stdout: e.stdout, code: e.code }));
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
    const errors = report.problems.filter((p: { severity: string }) => p.severity === 'error');
    expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([]);
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
    for (const o of ops) {
      expect(o.op.responses['500'], o.operationId).toBeDefined();
      // Gateway hooks (tag Integrations) answer every refusal in-band as `verdict: false`, by the gateway's protocol.
      if (o.op.security?.length && !o.op.tags?.includes('Integrations')) expect(o.op.responses['401'], o.operationId).toBeDefined();
    }
    expect(JSON.stringify(doc)).toContain('"example"');
  });

  it('a client generated from the served document drives the API', async () => {
    const ts = astToString(await openapiTS(doc));
    expect(ts).toContain('createRealm');
    fs.writeFileSync(path.join(tmp, 'api.d.ts'), ts);
    const key = await issueKey(t.db, app.config.API_KEY_PEPPER, w.user.id, ['realms:read', 'realms:write']);
    const client = createClient<any>({ baseUrl: `${app.baseUrl}/api/v1`, headers: { authorization: `Bearer ${key.secret}` } });
    const created = await client.POST('/realms', { body: { name: 'Typed client' } });
    expect(created.response.status).toBe(201);
    const fetched = await client.GET('/realms/{id}', { params: { path: { id: created.data.id } } });
    expect(fetched.data.name).toBe('Typed client');
    const list = await client.GET('/realms', { params: { query: { limit: 1 } } });
    expect(list.data.items).toHaveLength(1);
    const missing = await client.GET('/realms/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
    expect(missing.error.error.code).toBe('NOT_FOUND');
  });
});

const FOREIGN: ResourceName[] = ['Realm', 'ApiKey', 'VectorServer', 'KnowledgeBase', 'Document', 'IngestionJob', 'ChatSession', 'User'];

describe('cross-tenant matrix', () => {
  it('every role and key scope, every operation with an {id}, on another organization\'s rows: 403 or 404, never its data', async () => {
    const foreign: Record<string, string> = {};
    for (const r of FOREIGN) foreign[r] = await makeRow(t.db, r, w.userB);
    foreign.Organization = w.orgB.id;
    const byPath: Record<string, string> = {
      '/realms': foreign.Realm!, '/api-keys': foreign.ApiKey!, '/vector-servers': foreign.VectorServer!, '/knowledge-bases': foreign.KnowledgeBase!,
      '/documents': foreign.Document!, '/ingestion-jobs': foreign.IngestionJob!, '/chat-sessions': foreign.ChatSession!, '/users': foreign.User!, '/organizations': foreign.Organization!,
    };
    const callers: Array<[string, ApiClient]> = [];
    for (const role of ['admin', 'user', 'viewer'] as const) {
      callers.push([`${role}:all`, new ApiClient(app.baseUrl, (await issueKey(t.db, app.config.API_KEY_PEPPER, w[role].id, [...API_KEY_SCOPES])).secret)]);
      callers.push([`${role}:models`, new ApiClient(app.baseUrl, (await issueKey(t.db, app.config.API_KEY_PEPPER, w[role].id, ['models:read'])).secret)]);
    }
    const before = await t.db.auditLog.count();
    let checked = 0;
    for (const o of operations().filter((x) => x.path.includes('{id}'))) {
      const base = Object.keys(byPath).find((b) => o.path.startsWith(`${b}/`));
      if (!base) continue;
      const id = byPath[base]!;
      for (const [who, client] of callers) {
        const res = await client.call(o.method.toUpperCase(), o.path.replace('{id}', id), ['post', 'put'].includes(o.method) ? { body: {} } : {});
        checked++;
        expect([400, 403, 404], `${who} ${o.method} ${o.path}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`).toContain(res.status);
        expect(JSON.stringify(res.body)).not.toContain(w.orgB.id);
      }
    }
    expect(checked).toBeGreaterThan(150);
    expect(await t.db.auditLog.count()).toBe(before);
    // Lists never show another organization's rows either.
    const [, adminAll] = callers[0]!;
    for (const p of ['/realms', '/api-keys', '/vector-servers', '/knowledge-bases', '/documents', '/ingestion-jobs', '/chat-sessions', '/users', '/organizations']) {
      const res = await adminAll.get(`${p}?limit=100`);
      expect(res.status, p).toBe(200);
      expect(JSON.stringify(res.body), p).not.toContain(w.orgB.id);
    }
  });
});

describe('fuzzing every operation', () => {
  it('random bodies, ids, headers and query strings: never a 500, nothing written when refused', async () => {
    const key = (await issueKey(t.db, app.config.API_KEY_PEPPER, w.admin.id, [...API_KEY_SCOPES])).secret;
    const ops = operations();
    const id = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constant(w.orgB.id), fc.constant('%00'), fc.constant('..%2F..'));
    const body = fc.oneof(fc.anything({ maxDepth: 2 }), fc.object({ maxDepth: 2 }), fc.dictionary(fc.constantFrom('name', 'scopes', 'limit', 'realmId', 'password', 'sizeBytes', 'type', 'role', '__proto__', 'constructor'), fc.anything({ maxDepth: 1 })));
    const query = fc.dictionary(fc.constantFrom('limit', 'cursor', 'order', 'realmId', 'category', 'state', 'revoked', 'x'), fc.string({ maxLength: 30 }), { maxKeys: 3 });
    const header = fc.record({ 'x-request-id': fc.string({ maxLength: 200 }), 'content-type': fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', 'application/merge-patch+json') });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ops), id, body, query, header, async (o, idValue, b, q, h) => {
        const url = o.path.replace('{id}', encodeURIComponent(idValue)) + (Object.keys(q).length ? `?${new URLSearchParams(q as Record<string, string>)}` : '');
        const auditBefore = await t.db.auditLog.count();
        const raw = b === undefined ? undefined : JSON.stringify(b);
        const res = await fetch(`${app.baseUrl}/api/v1${url}`, {
          method: o.method.toUpperCase(),
          headers: { authorization: `Bearer ${key}`, ...h },
          body: o.method === 'get' ? undefined : raw,
        });
        const text = await res.text();
        expect(res.status, `${o.method} ${url} -> ${text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect(JSON.parse(text).error.code).toMatch(/^[A-Z_]+$/);
          expect(await t.db.auditLog.count(), `${o.method} ${url} was refused but wrote`).toBe(auditBefore);
        }
      }),
      { numRuns: 250, seed: Number(process.env.FUZZ_SEED ?? 20261130) },
    );
  });
});
