// npm run bench:portkey: Portkey's gateway (1.15.2 from node_modules) in front of a stub
// OpenAI-compatible provider, with and without Realmgate's before/after hooks, in one run
// on one embedded PostgreSQL; then each hook on its own at the same concurrency. A run with
// hooks answered at once by a webhook that does nothing (verdict true) shows what calling two
// webhooks costs the gateway itself, whoever answers them.
//   BENCH_SECONDS (default 10 per workload)  BENCH_CONNECTIONS (default 32)
//   BENCH_HOOK_TIMEOUT_MS (default 3000, the gateway's default wait for a webhook)
//   BENCH_CPU_PROF (a folder: the app writes a --cpu-prof profile there when it stops)
// Everything listens on 127.0.0.1. The app runs as its own process (src/main.ts), so its CPU
// per request can be read from /proc; the gateway runs in its own, autocannon and the stub
// provider in this one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createPrisma } from '../src/db/client.js';
import { ensureDatabase } from '../src/db/database.js';
import { ensureAppLogin } from '../src/db/app-role.js';
import { startEmbeddedPostgres, withDatabase } from '../src/db/embedded-postgres.js';
import { migrateUp } from '../src/db/migrate.js';
import { displayPrefix, generateApiKeySecret, hashApiKey } from '../src/domain/api-keys/api-key-secret.js';
import { realmgateGatewayConfig } from '../test/support/portkey-config.js';
import { startPortkeyGateway } from '../test/support/portkey-gateway.js';
import { startStubProvider, type StubProvider } from '../test/support/stub-openai-provider.js';
import { usageTenant } from '../test/support/usage-fixtures.js';
import { startAppProcess } from './support/app-process.js';
import { batchCounts } from './support/batch-counts.js';
import { postgresCpuSeconds, processCpuSeconds } from './support/process-cpu.js';

// autocannon ships no types; the few fields used here, typed locally (no ambient module
// declaration that another bench could collide with).
interface CannonRequest { method?: string; body?: string; headers?: Record<string, string>; setupRequest?: (req: CannonRequest) => CannonRequest; onResponse?: (status: number, body: string) => void }
interface CannonOptions { url?: string; connections?: number; duration?: number; amount?: number; requests?: CannonRequest[] }
interface CannonResult { requests: { average: number; sent: number }; latency: { p50: number; p99: number }; '2xx': number; non2xx: number; errors: number; timeouts: number }
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: CannonOptions) => Promise<CannonResult>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const HOOK_TIMEOUT_MS = Number(process.env.BENCH_HOOK_TIMEOUT_MS ?? 3000);
const PEPPER = 'bench-api-key-pepper-0123456789abcdef0123456789';
const STUB_USAGE = { prompt_tokens: 9, completion_tokens: 7 };
const log = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  other: number;
  /** CPU ms per request sent: the app process, every PostgreSQL process */
  appCpu: number;
  pgCpu: number;
  /** operations the usage engine decided per batch it committed (rows that reach the app) */
  opsPerBatch: number | null;
}

/**
 * The provider calls of one workload: each workload's config gives the provider its own
 * api_key, which the gateway forwards as the Authorization header, so a call is counted
 * for the workload that sent it even when it reaches the stub after autocannon stopped
 * (the gateway finishes requests whose client went away). Counting calls by time instead
 * is what made an earlier version of this bench report 15 hooked calls without a ledger
 * row: they were calls of the run without hooks, still in flight when it stopped.
 */
const callsOf = (stub: StubProvider, providerKey: string) => stub.calls.filter((c) => c.authorization === `Bearer ${providerKey}`);

/** Drives one workload; CPU is divided by `handled()` (what reached the app), else by the requests autocannon sent. */
async function drive(name: string, appPid: number | undefined, pgDataDir: string, opts: CannonOptions, handled?: () => Promise<number>, appUrl?: string): Promise<Row> {
  const batchesBefore = appUrl ? await batchCounts(appUrl) : null;
  const before = { app: processCpuSeconds(appPid), postgres: postgresCpuSeconds(pgDataDir) };
  const handledBefore = handled ? await handled() : 0;
  const r = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
  // Requests still in flight when autocannon stops finish in the app a moment later.
  await sleep(1000);
  const cpu = { app: processCpuSeconds(appPid) - before.app, postgres: postgresCpuSeconds(pgDataDir) - before.postgres };
  const count = Math.max(1, handled ? (await handled()) - handledBefore : r.requests.sent);
  const batchesAfter = appUrl ? await batchCounts(appUrl) : null;
  const opsPerBatch = batchesBefore && batchesAfter
    ? (batchesAfter.operations - batchesBefore.operations) / Math.max(1, batchesAfter.batches - batchesBefore.batches) : null;
  const row = {
    name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], other: r.non2xx + r.errors + r.timeouts,
    appCpu: (cpu.app * 1000) / count, pgCpu: (cpu.postgres * 1000) / count, opsPerBatch,
  };
  log(`  ${name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, app CPU ${row.appCpu.toFixed(2)} ms, PG CPU ${row.pgCpu.toFixed(2)} ms per ${handled ? 'hook request' : 'request'}${opsPerBatch === null ? '' : `, ${opsPerBatch.toFixed(1)} operations per batch`} (${row.ok} ok, ${row.other} not; load ${os.loadavg()[0]!.toFixed(1)})`);
  return row;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-bench-portkey-'));
  fs.chmodSync(root, 0o755); // embedded PostgreSQL runs as the postgres user when we are root
  const pgDataDir = path.join(root, 'pgdata');
  const server = await startEmbeddedPostgres({ dataDir: pgDataDir });
  const cleanups: Array<() => Promise<unknown>> = [async () => server.stop(), async () => fs.rmSync(root, { recursive: true, force: true })];
  let failed = false;
  try {
    await ensureDatabase(server.url, 'bench');
    const ownerUrl = withDatabase(server.url, 'bench');
    await migrateUp(ownerUrl);
    const appUrl = await ensureAppLogin(ownerUrl, 'realmgate-bench-app-login');
    const owner = createPrisma(ownerUrl, { max: 4 });
    cleanups.unshift(() => owner.$disconnect());
    const app = await startAppProcess({ ownerUrl, appUrl, pepper: PEPPER });
    cleanups.unshift(() => app.stop());
    const appPid = app.child.pid;
    const realmgateUrl = app.url;

    const stub = await startStubProvider(STUB_USAGE);
    cleanups.unshift(() => stub.close());
    const instant = await startInstantWebhook();
    cleanups.unshift(() => instant.close());
    const gateway = await startPortkeyGateway();
    cleanups.unshift(() => gateway.stop());

    const tenant = await usageTenant(owner);
    // One key for the gateway runs, one for the hooks driven directly: each has its own ledger.
    const newKey = async () => {
      const secret = generateApiKeySecret();
      const key = await tenant.key({ keyHash: hashApiKey(PEPPER, secret), prefix: displayPrefix(secret) });
      return { id: key.id, secret };
    };
    const gatewayKey = await newKey();
    const hookKey = await newKey();
    const body = JSON.stringify({ model: tenant.model.providerModelId, max_tokens: 16, messages: [{ role: 'user', content: 'Say hello.' }] });
    const plain = (providerKey: string) => JSON.stringify({ provider: 'openai', api_key: providerKey, custom_host: stub.baseUrl });
    const hooked = (providerKey: string) => JSON.stringify(realmgateGatewayConfig({
      realmgateUrl, apiKey: gatewayKey.secret, providerBaseUrl: stub.baseUrl, providerApiKey: providerKey, failClosed: true, timeoutMs: HOOK_TIMEOUT_MS,
    }));
    // How long each hook took as the gateway timed it (hook_results' execution_time, ms), per answered request.
    const timesOf = (hookTimes: { before: number[]; after: number[] }) => (status: number, text: string) => {
      if (status !== 200) return;
      const results = (JSON.parse(text) as { hook_results?: Record<string, { execution_time?: number }[]> }).hook_results;
      const t = (name: string) => results?.[name]?.[0]?.execution_time;
      const [before, after] = [t('before_request_hooks'), t('after_request_hooks')];
      if (typeof before === 'number') hookTimes.before.push(before);
      if (typeof after === 'number') hookTimes.after.push(after);
    };
    const hookTimes = { before: [] as number[], after: [] as number[] };
    const instantTimes = { before: [] as number[], after: [] as number[] };
    const chat = (config: string, onResponse?: (status: number, text: string) => void): CannonOptions => ({
      url: `${gateway.baseUrl}/v1/chat/completions`,
      requests: [{
        method: 'POST',
        body,
        ...(onResponse ? { onResponse } : {}),
        setupRequest: (req) => ({
          ...req,
          headers: { 'content-type': 'application/json', 'x-portkey-config': config, 'x-portkey-metadata': JSON.stringify({ realmgate_request_id: crypto.randomUUID() }) },
        }),
      }],
    });
    // What reached the app, read from the database: a before hook makes one reservation, an after hook one ledger row.
    const holds = (apiKeyId: string) => owner.usageReservation.count({ where: { apiKeyId } });
    const ledgerRows = (apiKeyId: string) => owner.usageEvent.count({ where: { apiKeyId } });

    log(`Portkey gateway bench: ${CONNECTIONS} connections, ${SECONDS} s per workload, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    // Warm-up: the gateway's first requests, the app's counters and caches, the JIT.
    await autocannon({ ...chat(hooked('sk-warmup')), connections: 4, amount: 200 });

    const rows: Row[] = [];
    rows.push(await drive('gateway, no hooks', undefined, pgDataDir, chat(plain('sk-plain'))));
    rows.push(await drive('gateway + hooks answered at once (no Realmgate)', undefined, pgDataDir, chat(JSON.stringify(realmgateGatewayConfig({
      realmgateUrl: instant.url, apiKey: 'rgk_unused', providerBaseUrl: stub.baseUrl, providerApiKey: 'sk-instant', failClosed: true, timeoutMs: HOOK_TIMEOUT_MS,
    })), timesOf(instantTimes))));
    const hookedRow = await drive('gateway + Realmgate hooks', appPid, pgDataDir, chat(hooked('sk-hooked'), timesOf(hookTimes)),
      async () => (await holds(gatewayKey.id)) + (await ledgerRows(gatewayKey.id)), realmgateUrl);
    rows.push(hookedRow);
    const ledgerCheck = await checkLedger(owner, stub, gatewayKey.id, 'sk-hooked');
    failed ||= !ledgerCheck.ok;

    const ids: string[] = [];
    const hookBody = (eventType: string, id: string, response: unknown) => JSON.stringify({
      request: { json: JSON.parse(body), text: 'Say hello.', isStreamingRequest: false, isTransformed: false },
      response, provider: 'openai', requestType: 'chatComplete', metadata: { realmgate_request_id: id }, eventType,
    });
    const hook = (name: 'before' | 'after', make: () => string): CannonOptions => ({
      url: `${realmgateUrl}/api/v1/integrations/portkey/${name}`,
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, headers: { 'content-type': 'application/json', authorization: `Bearer ${hookKey.secret}` }, body: make() }) }],
    });
    rows.push(await drive('hook: before (hold)', appPid, pgDataDir, hook('before', () => {
      const id = crypto.randomUUID();
      ids.push(id);
      return hookBody('beforeRequestHook', id, { json: {}, text: '', statusCode: null, isTransformed: false });
    }), () => holds(hookKey.id), realmgateUrl));
    let next = 0;
    const answer = { json: { id: 'x', choices: [], usage: { ...STUB_USAGE, total_tokens: STUB_USAGE.prompt_tokens + STUB_USAGE.completion_tokens } }, text: '', statusCode: 200, isTransformed: false };
    rows.push(await drive('hook: after (settle)', appPid, pgDataDir, hook('after', () => hookBody('afterRequestHook', ids[next++] ?? crypto.randomUUID(), answer)), () => ledgerRows(hookKey.id), realmgateUrl));

    const [without, instantHooks, withHooks, before, after] = rows as [Row, Row, Row, Row, Row];
    log('');
    log('| workload | req/s | p50 ms | p99 ms | app CPU ms/req | PG CPU ms/req | ops/batch |');
    log('|---|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r === without || r === instantHooks ? '-' : r.appCpu.toFixed(2)} | ${r === without || r === instantHooks ? '-' : r.pgCpu.toFixed(2)} | ${r.opsPerBatch === null ? '-' : r.opsPerBatch.toFixed(1)} |`);
    log('');
    log('CPU columns: per request that reached the app (gateway + hooks: per hook call, two per admitted request), from /proc;');
    log('req/s and latency depend on what else the machine runs, CPU per request much less so.');
    log(`with hooks / without: ${(withHooks.rps / without.rps).toFixed(2)}x throughput, p99 ${withHooks.p99 >= without.p99 ? '+' : ''}${(withHooks.p99 - without.p99).toFixed(0)} ms; ` +
      `hooks answered at once / without: ${(instantHooks.rps / without.rps).toFixed(2)}x; Realmgate's hooks / hooks answered at once: ${(withHooks.rps / instantHooks.rps).toFixed(2)}x`);
    log(`hook p99 at ${CONNECTIONS} concurrent: before ${before.p99} ms, after ${after.p99} ms (target < 20 ms): ${before.p99 < 20 && after.p99 < 20 ? 'met' : 'NOT met'}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const pctl = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;
    log(`hooks as the gateway timed them in the hooked run (${CONNECTIONS} concurrent requests through the gateway; hook_results' execution_time): ` +
      `before p50 ${pctl(hookTimes.before, 50)} ms, p99 ${pctl(hookTimes.before, 99)} ms; after p50 ${pctl(hookTimes.after, 50)} ms, p99 ${pctl(hookTimes.after, 99)} ms (${hookTimes.before.length} requests); ` +
      `hooks answered at once, as the gateway timed them: before p50 ${pctl(instantTimes.before, 50)} ms, p99 ${pctl(instantTimes.before, 99)} ms; after p50 ${pctl(instantTimes.after, 50)} ms, p99 ${pctl(instantTimes.after, 99)} ms`);
    log(`hooked run: ${withHooks.ok} answered 200 to autocannon, ${ledgerCheck.calls} provider calls, ${ledgerCheck.rows} ledger rows`);
    log(`check: every provider call of the hooked run has exactly its ledger row with the reported usage: ${ledgerCheck.ok ? 'OK' : `FAILED (${ledgerCheck.problems.join('; ')})`}`);
  } finally {
    for (const fn of cleanups) await fn().catch((e) => log(`cleanup: ${(e as Error).message}`));
  }
  if (failed) throw new Error('the ledger does not match the provider calls (see above)');
}

/** A webhook that reads each request's body and answers `{"verdict":true}` at once: the gateway's own cost of calling hooks. */
async function startInstantWebhook(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"verdict":true}'));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Waits (bounded) until every provider call of the hooked run has its ledger row, then
 * compares call by call: the ledger row names the provider's answer id (metadata
 * providerResponseId), so each call must have exactly one row, with the usage the stub
 * reported, and no row may name a call that did not happen. Requests in flight when
 * autocannon stopped still run both hooks; the wait ends when all calls are matched and
 * nothing moved for a second, or after both hooks' timeouts plus 5 s (what such a request
 * can still take in the gateway).
 */
async function checkLedger(owner: ReturnType<typeof createPrisma>, stub: StubProvider, apiKeyId: string, providerKey: string) {
  const deadline = Date.now() + 2 * HOOK_TIMEOUT_MS + 5000;
  const read = async () => {
    const calls = callsOf(stub, providerKey);
    const rows = await owner.usageEvent.findMany({ where: { apiKeyId }, select: { inputTokens: true, outputTokens: true, metadata: true } });
    const mine = new Set(calls.map((c) => c.id));
    const byCall = new Map<string, typeof rows>();
    for (const r of rows) {
      const id = (r.metadata as { providerResponseId?: string } | null)?.providerResponseId ?? '';
      if (!mine.has(id)) continue; // warm-up rows
      byCall.set(id, [...(byCall.get(id) ?? []), r]);
    }
    return { calls, byCall, total: rows.length };
  };
  let last = await read();
  let stillSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = await read();
    if (now.calls.length !== last.calls.length || now.total !== last.total) stillSince = Date.now();
    last = now;
    if (now.byCall.size === now.calls.length && Date.now() - stillSince >= 1000) break;
  }
  const problems: string[] = [];
  const missing = last.calls.filter((c) => !last.byCall.has(c.id));
  if (missing.length) problems.push(`${missing.length} provider calls without a ledger row (${missing.slice(0, 3).map((c) => c.id).join(', ')}…)`);
  const doubled = [...last.byCall].filter(([, rs]) => rs.length !== 1);
  if (doubled.length) problems.push(`${doubled.length} provider calls with more than one row`);
  const wrong = [...last.byCall].filter(([, rs]) => rs.some((r) => r.inputTokens !== STUB_USAGE.prompt_tokens || r.outputTokens !== STUB_USAGE.completion_tokens));
  if (wrong.length) problems.push(`${wrong.length} rows whose usage differs from the provider's`);
  const rows = [...last.byCall.values()].reduce((n, rs) => n + rs.length, 0);
  return { ok: problems.length === 0 && last.calls.length > 0, calls: last.calls.length, rows, problems };
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
