import type { PrismaClient } from '@prisma/client';
import { ensureAppLogin } from '../../src/db/app-role.js';
import { createPrisma } from '../../src/db/client.js';
import { createTenantPrisma } from '../../src/db/tenant-context.js';
import { freshDatabase, type TestDatabase } from '../setup/test-database.js';

// One password for the cluster-wide app login, shared by every test file.
export const TEST_APP_PASSWORD = 'realmgate-test-app-login';

export interface AppDatabase extends TestDatabase {
  /** The app's client: app login (no BYPASSRLS) + tenant extension, as in production. */
  app: PrismaClient;
  appUrl: string;
}

/** A migrated database reached the way the app reaches it, so row-level security applies. */
export async function appDatabase(label: string): Promise<AppDatabase> {
  const base = await freshDatabase(label);
  const appUrl = await ensureAppLogin(base.url, TEST_APP_PASSWORD);
  // Enough connections for the race tests (10+ concurrent interactive transactions):
  // a starved pool makes Prisma give up on a transaction after its 2 s maxWait.
  const raw = createPrisma(appUrl, { max: 16 });
  const app = createTenantPrisma(raw);
  return {
    ...base,
    app,
    appUrl,
    async drop() {
      await raw.$disconnect().catch(() => {});
      await base.drop();
    },
  };
}
