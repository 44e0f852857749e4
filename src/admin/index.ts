import AdminJS from 'adminjs';
import AdminJSExpress from '@adminjs/express';
import { Database } from '@adminjs/prisma';
import type { Express } from 'express';
import formidableMiddleware from 'express-formidable';
import type { AppDeps } from '../app.js';
import { CSRF_SCRIPT_PATH } from '../http/security/csrf-client.js';
import { patchBundleEval } from '../http/security/bundle-eval-patch.js';
import { rejectHostileInput } from '../http/security/reject-hostile-input.js';
import { loadDatamodel } from '../db/dmmf.js';
import { RealmgateResource } from './prisma-resource.js';
import { installReadOnlyFields } from './access/read-only-fields.js';
import { localFontsOnly } from './local-fonts.js';
import { PANEL_SCRIPT_PATH, PANEL_STYLE_PATH, panelUiRoutes } from './panel-ui.js';
import { buildResources } from './resources/index.js';
import { SESSION_COOKIE, type AdminSession } from './auth/admin-session.js';
import { adminAuthenticate, adminAuthRoutes } from './auth/admin-auth-routes.js';
import { adminTenant } from './auth/admin-tenant.js';
import { adminApiGuard } from './access/api-guard.js';
import { passwordChangeRoutes } from './auth/password-change-routes.js';
import { componentLoader, Components, prepareComponents } from './components.js';
import { dashboardHandler } from './dashboard.js';
import { ledgerExportRoutes } from './ledger/ledger-export-routes.js';
import { buildTranslations } from './resources/translations.js';
import { staticAssets } from './static-assets.js';
import type { LedgerCsvExports } from '../domain/usage-reports/export-ledger-csv.js';

const ROOT = '/admin';

// AdminJS keeps adapters in a process-wide list; test runners may load this module many times.
const ADAPTER_REGISTERED = Symbol.for('realmgate.admin.adapter-registered');

/**
 * The AdminJS panel at /admin: every Prisma model, signed-in users only.
 * `session` is the panel's session (sessions in PostgreSQL, cookie path '/'):
 * the app makes it, because the same cookie signs staff in to the API, which
 * is mounted before the panel.
 */
export async function mountAdmin(
  app: Express,
  deps: AppDeps & { ledgerCsv: LedgerCsvExports },
  session: AdminSession,
): Promise<{ rootPath: string }> {
  const registry = globalThis as { [ADAPTER_REGISTERED]?: boolean };
  if (!registry[ADAPTER_REGISTERED]) {
    AdminJS.registerAdapter({ Database, Resource: RealmgateResource });
    registry[ADAPTER_REGISTERED] = true;
  }
  installReadOnlyFields();

  const admin = new AdminJS({
    rootPath: ROOT,
    loginPath: `${ROOT}/login`,
    logoutPath: `${ROOT}/logout`,
    resources: buildResources(deps, loadDatamodel()),
    componentLoader,
    dashboard: { component: Components.Dashboard, handler: dashboardHandler(deps) },
    branding: { companyName: 'Realmgate', logo: false, withMadeWithLove: false },
    // Sends the CSRF token with the frontend's own requests (src/http/security/csrf-client.ts).
    assets: { scripts: [CSRF_SCRIPT_PATH, PANEL_SCRIPT_PATH], styles: [PANEL_STYLE_PATH] },
    locale: {
      language: 'en',
      translations: {
        en: {
          ...buildTranslations(loadDatamodel()),
          components: { Login: { welcomeHeader: 'Realmgate', welcomeMessage: 'Control plane for your AI gateways. Sign in with your Realmgate account.' } },
          messages: { welcomeOnBoard_title: 'Realmgate', welcomeOnBoard_subtitle: 'Pick a section in the menu on the left.' },
        },
      },
    },
  });

  // In production the custom components (components/) are bundled before we serve, unless a
  // bundle prebuilt for the same sources exists (see components.ts); @adminjs/express calls
  // initialize() again without awaiting it, so make that a no-op.
  const bundle = await prepareComponents(admin);
  admin.initialize = async () => {};
  if (process.env.NODE_ENV === 'production') deps.log.info(bundle, bundle.bundled ? 'admin bundle built' : 'admin bundle prebuilt');

  const assets = staticAssets(ROOT);
  if (assets) app.use(assets);
  else deps.log.warn('The admin panel bundles are not prebuilt: serving AdminJS development builds. Run `npm run bundle:admin` (it runs at npm install).');

  app.use(`${ROOT}/frontend/assets`, patchBundleEval());
  app.use(ROOT, localFontsOnly());
  app.use(panelUiRoutes());
  app.use(adminAuthRoutes({ admin, session, deps }));

  const router = AdminJSExpress.buildAuthenticatedRouter(
    admin,
    {
      // Only reached if our POST /login above is bypassed; same rules.
      authenticate: adminAuthenticate(deps),
      cookieName: SESSION_COOKIE,
      cookiePassword: deps.config.SESSION_SECRET,
    },
    null,
    // Same options as ours so its (skipped) session middleware builds no MemoryStore.
    session.options,
  );
  const passwordChange = passwordChangeRoutes({ rootPath: ROOT, logoutPath: `${ROOT}/logout`, session, deps });
  app.use(passwordChange.router);
  // Parse the body before entering the tenant context (AdminJS's own formidable
  // then sees it parsed and skips): stream callbacks would lose the context.
  app.use(ROOT, session.middleware, session.guard, passwordChange.gate, formidableMiddleware(), rejectHostileInput(), adminTenant(deps.db), ledgerExportRoutes(deps), adminApiGuard(admin), router);

  return { rootPath: ROOT };
}
