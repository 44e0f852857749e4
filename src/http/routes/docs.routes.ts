import express, { Router } from 'express';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
// The package's own files: the reference page works offline, nothing from a CDN.
const SWAGGER_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

/** GET /api/docs: Swagger UI from swagger-ui-dist, pointed at /api/v1/openapi.json (no validator badge, no network). */
export function docsRoutes(): Router {
  const router = Router();
  router.get('/api/docs', (req, res, next) => {
    // Relative asset paths in index.html need the trailing slash.
    if (req.originalUrl === '/api/docs') return res.redirect(301, '/api/docs/');
    next();
  });
  router.get('/api/docs/swagger-initializer.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-cache').send(INITIALIZER);
  });
  router.use('/api/docs', express.static(SWAGGER_DIR, { index: 'index.html', fallthrough: true, maxAge: '1h' }));
  return router;
}
