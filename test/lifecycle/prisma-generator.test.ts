import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../setup/app-process.js';

/**
 * Issue #10: Prisma 6.19 runs driver adapters without the `driverAdapters`
 * preview feature and warns on every generate that it is deprecated. The client
 * generator asks for no preview feature; the app works through @prisma/adapter-pg
 * all the same (every database test runs on it).
 */
describe('prisma generator', () => {
  it('the client generator enables no deprecated preview feature', () => {
    const schema = fs.readFileSync(path.join(ROOT, 'prisma/schema.prisma'), 'utf8');
    const client = schema.match(/generator client \{([^}]*)\}/)?.[1];
    expect(client).toBeDefined();
    expect(client).toMatch(/engineType\s*=\s*"client"/);
    expect(client).not.toMatch(/driverAdapters/);
  });
});
