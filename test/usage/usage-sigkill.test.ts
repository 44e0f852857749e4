import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppProcess } from '../setup/app-process.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { ApiClient } from '../support/api-client.js';
import { ledgerAndCounters, TEST_PEPPER, usageTenant } from '../support/usage-fixtures.js';

/**
 * Answers are sent after COMMIT: SIGKILL the real app (src/main.ts) in the
 * middle of a load, and every request it acknowledged is in the ledger.
 */
let t: AppDatabase;
let app: AppProcess | undefined;

beforeAll(async () => {
  t = await appDatabase('usage_sigkill');
});
afterAll(async () => {
  app?.kill();
  await t?.drop();
});

describe('SIGKILL mid-load', () => {
  it('loses nothing it acknowledged', async () => {
    const tenant = await usageTenant(t.db);
    const key = await tenant.key();
    app = startApp({
      DATABASE_URL: t.url, DATABASE_APP_URL: t.appUrl, SEED_DEMO: 'false', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0',
      SESSION_SECRET: 'sigkill-session-secret-0123456789abcdef0123', API_KEY_PEPPER: TEST_PEPPER, JWT_SECRET: 'sigkill-jwt-secret-0123456789abcdef0123456',
      ENCRYPTION_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', ADMIN_PASSWORD: 'sigkill-admin-password-1',
    });
    const m = await app.waitFor(/"port":(\d+)[^\n]*"msg":"listening"/, 200_000);
    const api = new ApiClient(`http://127.0.0.1:${m[1]}`, key.secret);
    const acked: { eventId: string; totalTokens: number }[] = [];
    let stop = false;
    let killedAt = 0;
    const worker = async () => {
      while (!stop) {
        const res = await api.post('/usage', { model: tenant.model.id, inputTokens: 3, outputTokens: 4, idempotencyKey: crypto.randomUUID() }).catch(() => null);
        if (!res) return; // connection cut by the kill
        if (res.status === 201) acked.push(res.body);
        if (acked.length >= 200 && !killedAt) {
          killedAt = acked.length;
          app!.kill(); // SIGKILL to the process group, with requests still in flight
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    stop = true;
    await app.exited;
    expect(killedAt).toBeGreaterThanOrEqual(200);
    const ledger = await t.db.usageEvent.findMany({ where: { organizationId: tenant.org.id }, select: { id: true } });
    const inLedger = new Set(ledger.map((e) => e.id));
    const lost = acked.filter((a) => !inLedger.has(a.eventId));
    expect(lost).toEqual([]);
    // What committed but was never answered (cut by the kill) is counted as well: counters = ledger.
    const s = await ledgerAndCounters(t.db, tenant.org.id);
    expect(s.ledgerRows).toBeGreaterThanOrEqual(acked.length);
    expect(Number(s.orgTokens!.used)).toBe(s.ledgerTokens);
    expect(s.rollupTokens).toBe(s.ledgerTokens);
  }, 240_000);
});
