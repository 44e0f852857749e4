import type { RequestHandler } from 'express';

// AdminJS's page templates (layout-template.js, login-template.js) link Roboto
// from Google Fonts: offline it fails, online it tells a third party who uses
// the panel. Nothing leaves the machine: the link goes, the system font stack
// takes its place.
const GOOGLE_FONTS = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;
const SYSTEM_FONTS = `<style>html, body, button, input, select, textarea { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif; }</style>`;

/**
 * Strips third-party font links from the panel's HTML pages. Only pages are
 * searched: the panel's JSON answers (res.json has set their type) are left
 * alone, where a search of every answer cost a usage list page half a millisecond.
 */
export function localFontsOnly(): RequestHandler {
  return (_req, res, next) => {
    const send = res.send.bind(res);
    res.send = ((body?: unknown) => {
      const type = String(res.getHeader('content-type') ?? '');
      const page = !type || type.includes('text/html');
      if (page && typeof body === 'string' && body.includes('fonts.googleapis.com')) body = body.replace(GOOGLE_FONTS, SYSTEM_FONTS);
      return send(body);
    }) as typeof res.send;
    next();
  };
}
