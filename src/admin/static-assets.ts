import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import { ViewHelpers } from 'adminjs';
import { componentsBundleFile, componentsBundleIsCurrent } from './components.js';

/**
 * The panel's JavaScript, served the way a browser should get it whatever
 * NODE_ENV is: AdminJS's production builds (not its 26 MB development builds),
 * compressed ahead of time (gzip and brotli, written by `npm run bundle:admin`
 * at install, never at run time), and cached for a year under a URL that
 * carries the content hash (`?v=<hash>`; AdminJS's file names are fixed).
 * Without a prebuilt set AdminJS serves its own files, as before.
 */
const require = createRequire(import.meta.url);
// Found the way AdminJS's own router finds them (neither package exports its package.json).
const adminjsScripts = () => path.join(path.dirname(require.resolve('adminjs')), 'lib/frontend/assets/scripts');
const designSystemDir = () => path.join(path.dirname(require.resolve('@adminjs/design-system')), '..');

/** The bundles the layout loads, and where their production builds are. */
const SOURCES: Record<string, () => string> = {
  'global.bundle.js': () => path.join(adminjsScripts(), 'global-bundle.production.js'),
  'design-system.bundle.js': () => path.join(designSystemDir(), 'bundle.production.js'),
  'app.bundle.js': () => path.join(adminjsScripts(), 'app-bundle.production.js'),
  'components.bundle.js': () => componentsBundleFile(),
};

interface Manifest {
  /** The components bundle this set was made from (sha256 of bundle.js). */
  components: string;
  files: Record<string, { hash: string; bytes: number; gzip: number; br: number }>;
}

const assetsDir = () => path.join(path.resolve(process.env.ADMIN_JS_TMP_DIR || '.adminjs'), 'assets');
const manifestFile = () => path.join(assetsDir(), 'manifest.json');
const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** Writes every bundle with its .gz and .br beside a manifest. Needs a current production components bundle. */
export function buildStaticAssets(): Manifest {
  if (!componentsBundleIsCurrent()) throw new Error('The production components bundle is missing or stale: build it first (npm run bundle:admin)');
  const dir = assetsDir();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const manifest: Manifest = { components: sha(fs.readFileSync(componentsBundleFile())), files: {} };
  for (const [name, source] of Object.entries(SOURCES)) {
    const body = fs.readFileSync(source());
    const gzip = zlib.gzipSync(body, { level: 9 });
    const br = zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
    fs.writeFileSync(path.join(dir, name), body);
    fs.writeFileSync(path.join(dir, `${name}.gz`), gzip);
    fs.writeFileSync(path.join(dir, `${name}.br`), br);
    manifest.files[name] = { hash: sha(body).slice(0, 16), bytes: body.length, gzip: gzip.length, br: br.length };
  }
  fs.writeFileSync(manifestFile(), JSON.stringify(manifest, null, 2));
  return manifest;
}

/** The prebuilt set, when it exists and was made from today's components. */
function loadManifest(): Manifest | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile(), 'utf8')) as Manifest;
    if (!componentsBundleIsCurrent() || manifest.components !== sha(fs.readFileSync(componentsBundleFile()))) return undefined;
    return manifest;
  } catch {
    return undefined;
  }
}

const YEAR = 365 * 24 * 3600;
const HASHED = Symbol.for('realmgate.admin.hashed-asset-paths');

/**
 * A router for `<rootPath>/frontend/assets/<bundle>` serving the prebuilt set,
 * or undefined (AdminJS serves its own) when there is none.
 */
export function staticAssets(rootPath: string): Router | undefined {
  const manifest = loadManifest();
  if (!manifest) return undefined;
  hashAssetUrls(manifest);
  const cache = new Map<string, Buffer>();
  const read = (file: string) => {
    let body = cache.get(file);
    if (!body) cache.set(file, (body = fs.readFileSync(path.join(assetsDir(), file))));
    return body;
  };

  const router = Router();
  router.get(`${rootPath}/frontend/assets/:name`, (req: Request, res: Response, next) => {
    const name = req.params.name!;
    const entry = manifest.files[name];
    if (!entry) return next();
    const accepts = req.acceptsEncodings('br', 'gzip', 'identity');
    const encoding = accepts === 'br' || accepts === 'gzip' ? accepts : undefined;
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('ETag', `"${entry.hash}${encoding ? `-${encoding}` : ''}"`);
    // Only the URL with the right hash may be kept for a year; any other is revalidated.
    res.setHeader('Cache-Control', req.query.v === entry.hash ? `public, max-age=${YEAR}, immutable` : 'no-cache');
    if (req.fresh) return void res.status(304).end();
    if (encoding) res.setHeader('Content-Encoding', encoding);
    res.send(read(encoding === 'br' ? `${name}.br` : encoding === 'gzip' ? `${name}.gz` : name));
  });
  return router;
}

/**
 * AdminJS writes the script tags through ViewHelpers#assetPath with fixed names;
 * the content hash goes into the query so that a new build is a new URL.
 */
function hashAssetUrls(manifest: Manifest): void {
  const proto = ViewHelpers.prototype as ViewHelpers & { [HASHED]?: Manifest['files'] };
  if (!proto[HASHED]) {
    const original = proto.assetPath;
    proto.assetPath = function assetPath(this: ViewHelpers, asset: string, assetsConfig?: unknown) {
      const url = original.call(this, asset, assetsConfig as never);
      const hash = (ViewHelpers.prototype as { [HASHED]?: Manifest['files'] })[HASHED]?.[asset]?.hash;
      return hash && !url.includes('?') ? `${url}?v=${hash}` : url;
    };
  }
  proto[HASHED] = manifest.files;
}
