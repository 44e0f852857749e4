import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../setup/app-process.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * Issue #10: the panel's JavaScript is AdminJS's production build (prebuilt by
 * `npm run bundle:admin`, as `npm install` runs it), compressed, and cached for
 * long under URLs that carry the content hash, whatever NODE_ENV is (here: test).
 */
const BUNDLES = ['global.bundle.js', 'design-system.bundle.js', 'app.bundle.js', 'components.bundle.js'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-assets-'));
const previousTmp = process.env.ADMIN_JS_TMP_DIR;
let t: AppDatabase;
let app: RunningApp;
let manifest: { files: Record<string, { hash: string; bytes: number; gzip: number; br: number }> };

beforeAll(async () => {
  // Asynchronously: a worker blocked for a minute loses its line to the test runner.
  const built = await new Promise<{ status: number | null; output: string }>((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'bundle:admin'], { cwd: ROOT, env: { ...process.env, ADMIN_JS_TMP_DIR: tmp } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    child.on('close', (status) => resolve({ status, output }));
  });
  expect(built.status, built.output).toBe(0);
  manifest = JSON.parse(fs.readFileSync(path.join(tmp, 'assets', 'manifest.json'), 'utf8'));
  // Read when the app is built (static-assets.ts), so the app below serves this set.
  process.env.ADMIN_JS_TMP_DIR = tmp;
  t = await appDatabase('admin_assets');
  app = await startRunningApp(t);
}, 300_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
  if (previousTmp === undefined) delete process.env.ADMIN_JS_TMP_DIR;
  else process.env.ADMIN_JS_TMP_DIR = previousTmp;
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  return { res, body };
}

/** A request as sent, bytes as received (fetch() would add headers and decompress). */
function raw(url: string, headers: Record<string, string>): Promise<{ status?: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('admin panel bundles', () => {
  it('the sign-in page loads each bundle under a URL carrying its content hash', async () => {
    const { res, body } = await get(`${app.baseUrl}/admin/login`);
    expect(res.status).toBe(200);
    const html = body.toString('utf8');
    for (const name of BUNDLES) expect(html).toContain(`/admin/frontend/assets/${name}?v=${manifest.files[name]!.hash}`);
  });

  it('serves the production builds precompressed, cached for a year under the hashed URL, in under 1 MB altogether', async () => {
    let transferred = 0;
    for (const name of BUNDLES) {
      const entry = manifest.files[name]!;
      const url = `${app.baseUrl}/admin/frontend/assets/${name}?v=${entry.hash}`;
      const res = await raw(url, { 'accept-encoding': 'br, gzip' });
      expect(res.headers['content-encoding'], name).toBe('br');
      expect(res.headers['cache-control'], name).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toMatch(/javascript/);
      transferred += res.body.length;
      const decoded = zlib.brotliDecompressSync(res.body);
      expect(decoded.length).toBe(entry.bytes);
      const js = decoded.toString('utf8');
      // AdminJS's development builds carry React's development warnings; production builds do not.
      expect(js, name).not.toMatch(/react-dom\.development|Warning: Each child in a list should have a unique "key" prop/);
    }
    expect(transferred).toBeLessThan(1_000_000);

    // gzip for clients without brotli; an unhashed or stale URL must be revalidated.
    const gz = await raw(`${app.baseUrl}/admin/frontend/assets/app.bundle.js`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).length).toBe(manifest.files['app.bundle.js']!.bytes);
    expect(gz.headers['cache-control']).toBe('no-cache');
    const again = await raw(`${app.baseUrl}/admin/frontend/assets/app.bundle.js`, { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag! });
    expect(again.status).toBe(304);
  });

  it('compresses pages on the fly', async () => {
    const res = await raw(`${app.baseUrl}/admin/login`, { 'accept-encoding': 'gzip' });
    expect({ status: res.status, encoding: res.headers['content-encoding'] }).toEqual({ status: 200, encoding: 'gzip' });
    expect(zlib.gunzipSync(res.body).toString('utf8')).toMatch(/<html/);
  });
});
