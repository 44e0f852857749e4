// npm run bench:portkey: Portkey's gateway (1.15.2 from node_modules) in front of a stub
// OpenAI-compatible provider, with and without Realmgate's before/after hooks, in one run
// on one embedded PostgreSQL; then each hook on its own at the same concurrency.
//   BENCH_SECONDS (default 10 per workload)  BENCH_CONNECTIONS (default 32)
//   BENCH_HOOK_TIMEOUT_MS (default 3000, the gateway's default wait for a webhook)
// Everything listens on 127.0.0.1; autocannon runs in this process next to the app, the
// gateway and the stub run in their own (the gateway) or this (the stub) process.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createPrisma } from '../src/db/client.js';
import { ensureDatabase } from '../src/db/database.js';
import { ensureAppLogin, ensureSystemLogin } from '../src/db/app-role.js';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded-postgres.js';
import { migrateUp } from '../src/db/migrate.js';
import { createTenantPrisma } from '../src/db/tenant-context.js';
import { displayPrefix, generateApiKeySecret, hashApiKey } from '../src/domain/api-keys/api-key-secret.js';
import { createLogger } from '../src/logger.js';
import { realmgateGatewayConfig } from '../test/support/portkey-config.js';
import { startPortkeyGateway } from '../test/support/portkey-gateway.js';
import { startStubProvider } from '../test/support/stub-openai-provider.js';
import { usageTenant } from '../test/support/usage-fixtures.js';

// autocannon ships no types; the few fields used here, typed locally (no ambient module
// declaration that another bench could collide with).
interface CannonRequest { method?: string; body?: string; headers?: Record<string, string>; setupRequest?: (req: CannonRequest) => CannonRequest }
interface CannonOptions { url?: string; connections?: number; duration?: number; amount?: number; requests?: CannonRequest[] }
interface CannonResult { requests: { average: number }; latency: { p50: number; p99: number }; '2xx': number; non2xx: number; errors: number; timeouts: number }
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: CannonOptions) => Promise<CannonResult>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const HOOK_TIMEOUT_MS = Number(process.env.BENCH_HOOK_TIMEOUT_MS ?? 3000);
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  other: number;
}

async function drive(name: string, opts: CannonOptions): Promise<Row> {
  const r = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
  const ok = r['2xx'];
  const row = { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok, other: r.non2xx + r.errors + r.timeouts };
  log(`  ${name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms (${ok} ok, ${row.other} not)`);
  return row;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-bench-portkey-'));
  fs.chmodSync(root, 0o755); // embedded PostgreSQL runs as the postgres user when we are root
  const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'pgdata') });
  const cleanups: Array<() => Promise<unknown>> = [async () => server.stop(), async () => fs.rmSync(root, { recursive: true, force: true })];
  try {
    await ensureDatabase(server.url, 'bench');
    const ownerUrl = withDatabase(server.url, 'bench');
    await migrateUp(ownerUrl);
    const appUrl = await ensureAppLogin(ownerUrl, 'realmgate-bench-app-login');
    const owner = createPrisma(ownerUrl, { max: 4 });
    const systemUrl = await ensureSystemLogin(ownerUrl, 'realmgate-bench-system-login');
    const base = createPrisma(appUrl, { max: 32 });
    const system = createPrisma(systemUrl, { max: 32 });
    cleanups.unshift(() => owner.$disconnect(), () => base.$disconnect(), () => system.$disconnect());
    const config = parseConfig({
      NODE_ENV: 'production', LOG_LEVEL: 'silent', SEED_DEMO: 'false',
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'), API_KEY_PEPPER: crypto.randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'), JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    });
    const built = await buildApp({ config, db: createTenantPrisma(base, system), databaseUrl: appUrl, systemDb: system, systemDatabaseUrl: systemUrl, log: createLogger('silent') });
    const http: Server = await new Promise((resolve, reject) => {
      const s = built.app.listen(0, '127.0.0.1', () => resolve(s)).on('error', reject);
    });
    cleanups.unshift(async () => { http.closeAllConnections(); await new Promise((r) => http.close(r)); await built.close(); });
    const realmgateUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    const stub = await startStubProvider({ prompt_tokens: 9, completion_tokens: 7 });
    cleanups.unshift(() => stub.close());
    const gateway = await startPortkeyGateway();
    cleanups.unshift(() => gateway.stop());

    const tenant = await usageTenant(owner);
    // One key for the gateway runs, one for the hooks driven directly: each has its own ledger.
    const newKey = async () => {
      const secret = generateApiKeySecret();
      const key = await tenant.key({ keyHash: hashApiKey(config.API_KEY_PEPPER, secret), prefix: displayPrefix(secret) });
      return { id: key.id, secret };
    };
    const gatewayKey = await newKey();
    const hookKey = await newKey();
    const secret = hookKey.secret;
    const body = JSON.stringify({ model: tenant.model.providerModelId, max_tokens: 16, messages: [{ role: 'user', content: 'Say hello.' }] });
    const plain = JSON.stringify({ provider: 'openai', api_key: 'sk-stub', custom_host: stub.baseUrl });
    const hooked = JSON.stringify(realmgateGatewayConfig({ realmgateUrl, apiKey: gatewayKey.secret, providerBaseUrl: stub.baseUrl, failClosed: true, timeoutMs: HOOK_TIMEOUT_MS }));
    const chat = (config: string): CannonOptions => ({
      url: `${gateway.baseUrl}/v1/chat/completions`,
      requests: [{
        method: 'POST',
        body,
        setupRequest: (req) => ({
          ...req,
          headers: { 'content-type': 'application/json', 'x-portkey-config': config, 'x-portkey-metadata': JSON.stringify({ realmgate_request_id: crypto.randomUUID() }) },
        }),
      }],
    });

    log(`Portkey gateway bench: ${CONNECTIONS} connections, ${SECONDS} s per workload, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`);
    // Warm-up: the gateway's first requests, the app's counters and caches.
    await autocannon({ ...chat(hooked), connections: 4, amount: 50 });
    const gatewayLedger = () => owner.usageEvent.count({ where: { apiKeyId: gatewayKey.id } });
    const startLedger = await gatewayLedger();

    const rows: Row[] = [];
    rows.push(await drive('gateway, no hooks', chat(plain)));
    const callsHooked = stub.calls.length;
    const hookedRow = await drive('gateway + Realmgate hooks', chat(hooked));
    rows.push(hookedRow);
    // Requests still in flight when autocannon stopped finish their after hooks: wait until the ledger stops moving.
    let hookedLedgerRows = -1;
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const n = (await gatewayLedger()) - startLedger;
      if (n === hookedLedgerRows) break;
      hookedLedgerRows = n;
    }
    const hookedProviderCalls = stub.calls.length - callsHooked;

    const ids: string[] = [];
    const hookBody = (eventType: string, id: string, response: unknown) => JSON.stringify({
      request: { json: JSON.parse(body), text: 'Say hello.', isStreamingRequest: false, isTransformed: false },
      response, provider: 'openai', requestType: 'chatComplete', metadata: { realmgate_request_id: id }, eventType,
    });
    const hook = (name: 'before' | 'after', make: () => string): CannonOptions => ({
      url: `${realmgateUrl}/api/v1/integrations/portkey/${name}`,
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: make() }) }],
    });
    rows.push(await drive('hook: before (hold)', hook('before', () => {
      const id = crypto.randomUUID();
      ids.push(id);
      return hookBody('beforeRequestHook', id, { json: {}, text: '', statusCode: null, isTransformed: false });
    })));
    let next = 0;
    const answer = { json: { id: 'x', choices: [], usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 } }, text: '', statusCode: 200, isTransformed: false };
    rows.push(await drive('hook: after (settle)', hook('after', () => hookBody('afterRequestHook', ids[next++] ?? crypto.randomUUID(), answer))));


    const [without, withHooks, before, after] = rows as [Row, Row, Row, Row];
    log('');
    log('| workload | req/s | p50 ms | p99 ms |');
    log('|---|---:|---:|---:|');
    for (const r of rows) log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} |`);
    log('');
    log(`with hooks / without: ${(withHooks.rps / without.rps).toFixed(2)}x throughput, p99 +${(withHooks.p99 - without.p99).toFixed(0)} ms`);
    log(`hook p99 at ${CONNECTIONS} concurrent: before ${before.p99} ms, after ${after.p99} ms (target < 20 ms): ${before.p99 < 20 && after.p99 < 20 ? 'met' : 'NOT met'}`);
    log(`hooked run: ${withHooks.ok} answered 200 in time, ${hookedProviderCalls} provider calls, ${hookedLedgerRows} ledger rows`);
    log(`check: ledger rows ${hookedLedgerRows === hookedProviderCalls ? '=' : '!='} provider calls of the hooked run`);
  } finally {
    for (const fn of cleanups) await fn().catch((e) => log(`cleanup: ${(e as Error).message}`));
  }
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
