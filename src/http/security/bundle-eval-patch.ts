import fs from 'node:fs';
import type { RequestHandler } from 'express';

/**
 * AdminJS's prebuilt bundles find the global object lodash-style with
 * `Function("return this")()` where `self`/`window` are not checked first (or
 * after them, as a fallback that still runs). That is eval as far as a
 * Content-Security-Policy is concerned: it would either need 'unsafe-eval' or
 * log a violation on every page. Served through here, those expressions read
 * `globalThis` instead, which is what they compute in a browser.
 */
const GLOBAL_THIS_BY_EVAL = /(?:new )?Function\("return this"\)\(\)/g;

/** A bundle's source with every `Function("return this")()` read as `globalThis` (also applied by the prebuilt bundles, src/admin/static-assets.ts). */
export function withoutGlobalEval(source: string): string {
  return source.replace(GLOBAL_THIS_BY_EVAL, 'globalThis');
}

const patched = new Map<string, Buffer>();

function patchedFile(file: string): Buffer {
  let body = patched.get(file);
  if (!body) {
    body = Buffer.from(withoutGlobalEval(fs.readFileSync(file, 'utf8')));
    patched.set(file, body);
  }
  return body;
}

/** Mount on the panel's asset path, before AdminJS's router: its sendFile of a .js bundle serves the patched copy. */
export function patchBundleEval(): RequestHandler {
  return (_req, res, next) => {
    const sendFile = res.sendFile.bind(res);
    res.sendFile = ((file: string, ...rest: unknown[]) => {
      if (!file.endsWith('.js')) return (sendFile as (...a: unknown[]) => void)(file, ...rest);
      try {
        res.type('application/javascript').send(patchedFile(file));
      } catch (e) {
        next(e);
      }
    }) as typeof res.sendFile;
    next();
  };
}
