import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../src/http/security/security-headers.js';
import { hardenAdminHtml } from '../../src/http/security/html-nonce.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createOrg, createUser, TEST_PASSWORD } from '../support/factories.js';
import { Browserless, sidOf, startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * Issue #7, cross-site requests and headers: one guard in app.ts for every
 * unsafe request (Origin / Sec-Fetch-Site, else the CSRF token when the
 * session cookie rides along), and security headers on every answer.
 */
let t: AppDatabase;
let app: RunningApp;
let org: { id: string };
const EVIL = 'https://evil.example';

const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  t = await appDatabase('cross_site');
  org = await createOrg(t.db);
  app = await startRunningApp(t);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function signedIn(role: 'ADMIN' | 'USER' = 'ADMIN') {
  const u = await createUser(t.db, org, role);
  const b = new Browserless(app.baseUrl);
  expect((await b.signIn(u.email, TEST_PASSWORD)).status).toBe(302);
  return { u, b };
}

/** A request as a script or an old client would send it: no Origin, no Sec-Fetch-Site. */
function bare(b: Browserless, path: string, init: RequestInit = {}) {
  return fetch(app.baseUrl + path, { redirect: 'manual', ...init, headers: { cookie: b.cookie, ...(init.headers as Record<string, string>) } });
}

describe('cross-site requests are refused on every state-changing route', () => {
  it('sign-in with a foreign Origin or Sec-Fetch-Site: cross-site is 403 and signs nobody in', async () => {
    const u = await createUser(t.db, org, 'USER');
    for (const headers of [{ origin: EVIL }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }] as Record<string, string>[]) {
      const res = await fetch(`${app.baseUrl}/admin/login`, { method: 'POST', redirect: 'manual', headers: { ...FORM, ...headers }, body: formBody({ email: u.email, password: TEST_PASSWORD }) });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.headers.getSetCookie().join(';')).not.toContain('realmgate.sid');
    }
    expect((await t.db.user.findUniqueOrThrow({ where: { id: u.id } })).lastLoginAt).toBeNull();
    // Same origin (and a plain client without a session) still signs in.
    expect((await new Browserless(app.baseUrl).signIn(u.email, TEST_PASSWORD)).status).toBe(302);
  });

  it('sign-out is a POST, refused cross-site; a GET only shows the form', async () => {
    const { b } = await signedIn();
    const sid = sidOf(b.cookie);
    const get = await b.request('/admin/logout');
    expect(get.status).toBe(200);
    expect(await b.signedIn()).toBe(true);
    expect((await b.request('/admin/logout', { method: 'POST', headers: { origin: EVIL } })).status).toBe(403);
    expect((await b.request('/admin/logout', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site', origin: app.baseUrl } })).status).toBe(403);
    expect(await t.db.session.findUnique({ where: { sid } })).not.toBeNull();
    expect((await b.request('/admin/logout', { method: 'POST' })).status).toBe(302);
    expect(await t.db.session.findUnique({ where: { sid } })).toBeNull();
  });

  it('the change-password form refuses a foreign Origin and changes nothing', async () => {
    const { u, b } = await signedIn('USER');
    const fields = { currentPassword: TEST_PASSWORD, newPassword: 'cross-site-new-password', confirmPassword: 'cross-site-new-password' };
    const res = await b.request('/admin/change-password', { method: 'POST', headers: { ...FORM, origin: EVIL }, body: formBody(fields) });
    expect(res.status).toBe(403);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: u.id } })).passwordChangedAt).toBeNull();
    expect(await b.signedIn()).toBe(true);
  });

  it('with neither header, a cookie-carrying unsafe request needs the CSRF token (header or form field)', async () => {
    const { b } = await signedIn();
    const target = await createUser(t.db, org, 'USER', { displayName: 'before' });
    const edit = (headers: Record<string, string> = {}) => {
      const fd = new FormData();
      fd.set('displayName', 'after');
      return bare(b, `/admin/api/resources/User/records/${target.id}/edit`, { method: 'POST', body: fd, headers: { accept: 'application/json', ...headers } });
    };
    expect((await edit()).status).toBe(403);
    expect((await edit({ 'x-csrf-token': 'forged' })).status).toBe(403);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: target.id } })).displayName).toBe('before');

    // The token: a page load hands it out in a readable cookie, tied to this session.
    const page = await b.request('/admin');
    await page.text();
    const cookie = page.headers.getSetCookie().find((c) => c.startsWith('realmgate.csrf='));
    expect(cookie).toBeDefined();
    expect(cookie).not.toMatch(/HttpOnly/i);
    const token = decodeURIComponent(cookie!.split(';')[0]!.split('=')[1]!);
    const ok = await edit({ 'x-csrf-token': token });
    expect(ok.status).toBe(200);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: target.id } })).displayName).toBe('after');

    // Another session's token does not fit this one.
    const other = await signedIn();
    const theirs = (await other.b.request('/admin')).headers.getSetCookie().find((c) => c.startsWith('realmgate.csrf='))!;
    expect((await edit({ 'x-csrf-token': decodeURIComponent(theirs.split(';')[0]!.split('=')[1]!) })).status).toBe(403);

    // Our HTML forms carry it as a field: sign-out without Origin works with it, not without.
    const sid = sidOf(b.cookie);
    expect((await bare(b, '/admin/logout', { method: 'POST', headers: FORM, body: formBody({}) })).status).toBe(403);
    expect((await bare(b, '/admin/logout', { method: 'POST', headers: FORM, body: formBody({ _csrf: token }) })).status).toBe(302);
    expect(await t.db.session.findUnique({ where: { sid } })).toBeNull();
  });

  it('requests without the session cookie (Authorization-only clients such as gateways) need no token', async () => {
    const res = await fetch(`${app.baseUrl}/api/v1/nothing-here`, { method: 'POST', headers: { authorization: 'Bearer rg_test', 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).not.toBe(403);
  });

  it('a 1 MB sign-in body is 413, not 500', async () => {
    const res = await fetch(`${app.baseUrl}/admin/login`, { method: 'POST', redirect: 'manual', headers: { ...FORM, origin: app.baseUrl }, body: `email=a%40b.c&password=${'x'.repeat(1024 * 1024)}` });
    expect(res.status).toBe(413);
  });
});

describe('security headers', () => {
  const expectHardened = (res: Response, label: string) => {
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp, label).toContain("frame-ancestors 'none'");
    expect(csp, label).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp, label).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    expect(res.headers.get('x-frame-options'), label).toBe('DENY');
    expect(res.headers.get('x-content-type-options'), label).toBe('nosniff');
    expect(res.headers.get('referrer-policy'), label).toBe('same-origin');
    expect(res.headers.get('strict-transport-security'), `${label}: no HSTS outside production`).toBeNull();
  };

  it('on every answer, signed in or not; no-store on every page and API answer', async () => {
    const anon = new Browserless(app.baseUrl);
    for (const path of ['/admin/login', '/healthz', '/admin/change-password', '/nowhere']) {
      const res = await anon.request(path);
      await res.text();
      expectHardened(res, path);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    const { b } = await signedIn();
    for (const path of ['/admin', '/admin/resources/User', '/admin/api/resources/User/actions/list', '/admin/api/dashboard', '/admin/logout']) {
      const res = await b.request(path, { headers: { accept: path.includes('/api/') ? 'application/json' : 'text/html' } });
      await res.text();
      expectHardened(res, path);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('inline scripts carry the nonce of the CSP; third-party fonts are gone', async () => {
    const { b } = await signedIn();
    const res = await b.request('/admin');
    const html = await res.text();
    const nonce = /'nonce-([^']+)'/.exec(res.headers.get('content-security-policy')!)![1]!;
    const inline = html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? [];
    expect(inline.length).toBeGreaterThan(0);
    for (const tag of inline) expect(tag).toBe(`<script nonce="${nonce}">`);
    expect(html).not.toContain('fonts.googleapis.com');
    expect(html).toContain('/security/csrf.js');
  });

  it('every answer has a nonce of its own: 16 random bytes, never repeated', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const res = await fetch(`${app.baseUrl}/healthz`);
      await res.text();
      const nonce = /'nonce-([^']+)'/.exec(res.headers.get('content-security-policy')!)![1]!;
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(300);
  });

  it('a value in the page state cannot open a script of its own that the nonce would bless', () => {
    const evil = JSON.stringify({ currentAdmin: { title: '</script><script>alert(1)</script>' } });
    const html = `<!DOCTYPE html><head>\n<script>\n  window.REDUX_STATE = ${evil};\n  window.THEME = {};\n</script></head>`;
    const out = hardenAdminHtml(html, 'N');
    expect(out.match(/<script nonce="N">/g)).toHaveLength(1);
    expect(out).toContain('\\u003c/script>\\u003cscript>alert(1)');
  });

  it('HSTS in production', async () => {
    const server = express().use(securityHeaders({ production: true })).get('/', (_req, res) => res.send('ok')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
    } finally {
      server.close();
    }
  });
});
