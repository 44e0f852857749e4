import pg from 'pg';
import { isSystemWide, type TenantContext } from './tenant-context.js';

/**
 * node-postgres pools on the two logins, opened on first use, for statements
 * that go around Prisma (the ledger lists' reads, the exports' COPY): a tenant
 * is served on the tenant-facing login, where row-level security applies, and
 * system-wide contexts (system, SUPERADMIN) on the system login, as the
 * tenant Prisma client routes them (tenant-context.ts).
 */
export class LoginPools {
  private readonly pools = new Map<string, pg.Pool>();

  constructor(
    private readonly urls: { tenantUrl: string; systemUrl: string },
    private readonly options: { max: number; idleTimeoutMillis: number; application_name: string },
  ) {}

  /** The pool of the login that serves `tenant`. */
  forTenant(tenant: TenantContext | undefined): pg.Pool {
    const url = isSystemWide(tenant) ? this.urls.systemUrl : this.urls.tenantUrl;
    let pool = this.pools.get(url);
    if (!pool) {
      pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 10_000, ...this.options });
      pool.on('error', () => {}); // an idle connection that dies is dropped by the pool; the next use opens another
      this.pools.set(url, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.end()));
  }
}
