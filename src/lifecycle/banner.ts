import type { PrismaClient } from '@prisma/client';
import { DEMO_USERS, userId } from '../domain/seed/demo-tenants.js';
import { asSystem } from '../domain/seed/system-transaction.js';
import type { SeedDemoResult } from '../domain/seed/seed-demo.js';

/** The CLI that sets a new temporary password (issue #10: there is always a way back in). */
export const TEMPORARY_PASSWORD_COMMAND = 'npm run realmgate -- users temporary-password';

export interface DemoUserLine {
  email: string;
  role: string;
}

/** The demo users that exist in this database, in the seed's order. */
export async function existingDemoUsers(db: PrismaClient): Promise<DemoUserLine[]> {
  const ids = DEMO_USERS.map((u) => userId(u.key));
  const rows = await asSystem(db, (tx) => tx.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true, role: true } }));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => (byId.has(id) ? [{ email: byId.get(id)!.email, role: byId.get(id)!.role }] : []));
}

export interface BannerInput {
  url: string;
  seed: SeedDemoResult;
  adminPasswordFromEnv: boolean;
  demoPasswordFromEnv: boolean;
  demoUsers: DemoUserLine[];
}

/** The sign-in lines: whatever was generated now, or where the password comes from, and the way back in. */
export function credentialLines({ seed, adminPasswordFromEnv, demoPasswordFromEnv, demoUsers }: Omit<BannerInput, 'url'>): string[] {
  const lines: string[] = [];
  const admin = seed.adminPassword
    ? ` with password ${seed.adminPassword}`
    : adminPasswordFromEnv
      ? ' with ADMIN_PASSWORD'
      : ` (password printed at first start; lost it? ${TEMPORARY_PASSWORD_COMMAND} ${seed.adminEmail})`;
  lines.push(`  Sign in as ${seed.adminEmail}${admin}`);
  if (demoUsers.length > 0) {
    const password = seed.demoPassword ? `password ${seed.demoPassword}` : demoPasswordFromEnv ? 'DEMO_PASSWORD' : 'the demo password printed at first start';
    const firstOfRole = new Map<string, DemoUserLine>();
    for (const u of demoUsers) if (!firstOfRole.has(u.role)) firstOfRole.set(u.role, u);
    const oneOfEachRole = [...firstOfRole.values()];
    const more = demoUsers.length - oneOfEachRole.length;
    lines.push(`  Demo users (every role, see README) sign in with ${password}:`);
    lines.push(`    ${oneOfEachRole.map((u) => `${u.email} (${u.role})`).join(', ')}${more > 0 ? `, and ${more} more` : ''}`);
  }
  if (seed.adminPassword || seed.demoPassword) lines.push('  These generated passwords are shown only once: keep them.');
  return lines;
}

export function bannerText(input: BannerInput): string {
  return ['', `  Realmgate is running: ${input.url}`, ...credentialLines(input), ''].join('\n') + '\n';
}
