#!/usr/bin/env node
// Compiles src/ (TypeScript, ESM) to dist/ with esbuild, file by file, same layout,
// so that `npm start` runs plain JavaScript: under tsx every module the app loads
// (AdminJS alone brings well over a thousand) goes through its loader hooks, which
// costs seconds at each start. Types are checked by `npm run typecheck`, not here.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
export const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.built-from');

function sources() {
  return fs
    .readdirSync(SRC, { recursive: true })
    .map((f) => path.join(SRC, f))
    .filter((f) => fs.statSync(f).isFile() && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
}

/** What dist/ was built from: every source's path, size and mtime. */
function fingerprint(files) {
  return files.map((f) => {
    const s = fs.statSync(f);
    return `${path.relative(SRC, f)}:${s.size}:${Math.round(s.mtimeMs)}`;
  }).sort().join('\n');
}

export function isCurrent() {
  try {
    return fs.readFileSync(STAMP, 'utf8') === fingerprint(sources());
  } catch {
    return false;
  }
}

export async function buildServer() {
  // esbuild comes with tsx (a dependency): resolve it from there, whatever the hoisting.
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))('esbuild');
  const files = sources();
  const staging = `${DIST}.${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
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
  fs.writeFileSync(path.join(staging, '.built-from'), fingerprint(files));
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.renameSync(staging, DIST);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  await buildServer();
  process.stdout.write(`Server compiled into dist/ in ${Date.now() - started} ms\n`);
}
