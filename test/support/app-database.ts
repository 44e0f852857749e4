import type { PrismaClient } from '@prisma/client';
import { ensureAppLogin, ensureSystemLogin } from '../../src/db/app-role.js';
import { createPrisma } from '../../src/db/client.js';
import { createTenantPrisma } from '../../src/db/tenant-context.js';
import { freshDatabase, type TestDatabase } from '../setup/test-database.js';

// One password for each cluster-wide login, shared by every test file.
export const TEST_APP_PASSWORD = 'realmgate-test-app-login';
export const TEST_SYSTEM_PASSWORD = 'realmgate-test-system-login';

export interface AppDatabase extends TestDatabase {
  /** The app's client: app login (no BYPASSRLS) + tenant extension, system contexts on the system login, as in production. */
  app: PrismaClient;
  appUrl: string;
  /** The system login's client (realmgate_system), as AppDeps.systemDb. */
  system: PrismaClient;
  systemUrl: string;
}

/** A migrated database reached the way the app reaches it, so row-level security applies. */
export async function appDatabase(label: string): Promise<AppDatabase> {
  const base = await freshDatabase(label);
  const appUrl = await ensureAppLogin(base.url, TEST_APP_PASSWORD);
  const systemUrl = await ensureSystemLogin(base.url, TEST_SYSTEM_PASSWORD);
  // Enough connections for the race tests (10+ concurrent interactive transactions):
  // a starved pool makes Prisma give up on a transaction after its 2 s maxWait.
  const raw = createPrisma(appUrl, { max: 16 });
  const rawSystem = createPrisma(systemUrl, { max: 16 });
  const app = createTenantPrisma(raw, rawSystem);
  const system = createTenantPrisma(rawSystem);
  return {
    ...base,
    app,
    appUrl,
    system,
    systemUrl,
    async drop() {
      await raw.$disconnect().catch(() => {});
      await rawSystem.$disconnect().catch(() => {});
      await base.drop();
    },
  };
}
