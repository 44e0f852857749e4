import crypto from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayPrefix, generateApiKeySecret, hashApiKey } from '../../src/domain/api-keys/api-key-secret.js';
import { estimatePromptTokens } from '../../src/domain/portkey/estimate-request-tokens.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createModel } from '../support/factories.js';
import { gatewayChat, realmgateGatewayConfig } from '../support/portkey-config.js';
import { startPortkeyGateway, type RunningGateway } from '../support/portkey-gateway.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { startStubProvider, type StubProvider } from '../support/stub-openai-provider.js';
import { usageTenant, type UsageTenant } from '../support/usage-fixtures.js';

/**
 * Realmgate behind Portkey's real gateway (1.15.2 from node_modules, its own
 * process on a loopback port), a stub OpenAI-compatible provider, and the app
 * on real PostgreSQL: the gateway calls the before/after webhooks exactly as
 * a deployment would, with the config the README tells users to paste.
 */
let t: AppDatabase;
let app: RunningApp;
let gateway: RunningGateway;
let stub: StubProvider;

beforeAll(async () => {
  t = await appDatabase('portkey_gateway');
  [app, gateway, stub] = await Promise.all([startRunningApp(t), startPortkeyGateway(), startStubProvider()]);
});
afterAll(async () => {
  await gateway?.stop();
  await stub?.close();
  await app?.close();
  await t?.drop();
});

/** A gateway key of a fresh organization, with its secret (as the panel would show it once). */
async function gatewayKey(tenant: UsageTenant, data: Parameters<UsageTenant['key']>[0] = {}) {
  const secret = generateApiKeySecret();
  const key = await tenant.key({ keyHash: hashApiKey(app.config.API_KEY_PEPPER, secret), prefix: displayPrefix(secret), ...data });
  return { ...key, secret };
}

// Correctness, not speed, is tested here (bench/portkey-gateway.bench.ts measures): on a
// machine shared by many test runs a hook may take longer than the gateway's 3 s default.
const HOOK_TIMEOUT_MS = 60_000;
const configFor = (secret: string | undefined, failClosed = true) =>
  realmgateGatewayConfig({ realmgateUrl: app.baseUrl, apiKey: secret, providerBaseUrl: stub.baseUrl, failClosed, timeoutMs: HOOK_TIMEOUT_MS });

const hookData = (json: any) => json?.hook_results?.before_request_hooks?.[0]?.checks?.[0]?.data?.responseData;

async function ledger(orgId: string) {
  return t.db.usageEvent.findMany({ where: { organizationId: orgId }, orderBy: { occurredAt: 'asc' } });
}

/**
 * The organization's ledger once it holds a row for each of `calls` (the provider's
 * answers), or after a bounded wait: the gateway awaits the after hook before it answers
 * the client, so the rows are normally there already; the wait only keeps a slow machine
 * from failing the comparison that follows, which is exact.
 */
async function ledgerFor(orgId: string, calls: ReadonlyArray<{ id: string }>, waitMs = 10_000) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const rows = await ledger(orgId);
    const named = new Set(rows.map((r) => (r.metadata as { providerResponseId?: string }).providerResponseId));
    if (calls.every((c) => named.has(c.id)) || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Realmgate enforcing keys, models and quotas on Portkey\'s gateway', () => {
  it('200 racing chat completions: the completed ones fit the token budget exactly, the rest get 446, the ledger equals the provider\'s usage', async () => {
    const tenant = await usageTenant(t.db, { monthlyTokenQuota: 10_000_000n });
    const body = { model: tenant.model.providerModelId, max_tokens: 16, messages: [{ role: 'user', content: 'Say hello to the gateway.' }] };
    // The provider reports exactly what Realmgate holds, so "fits exactly" is a number: floor(budget / perCall).
    const perCall = estimatePromptTokens(body) + 16;
    stub.usage = { prompt_tokens: estimatePromptTokens(body), completion_tokens: 16 };
    const fits = 23;
    const key = await gatewayKey(tenant, { maxTokens: fits * perCall + Math.floor(perCall / 2) });
    const config = configFor(key.secret);
    const callsBefore = stub.calls.length;

    const ids = Array.from({ length: 200 }, () => crypto.randomUUID());
    const answers = await Promise.all(ids.map((id) => gatewayChat(gateway.baseUrl, config, id, body).then((a) => ({ id, ...a }))));

    const completed = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(completed).toHaveLength(fits);
    expect(refused.map((a) => a.status)).toEqual(Array(200 - fits).fill(446));
    for (const r of refused) {
      expect(hookData(r.json)).toMatchObject({ code: 'QUOTA_EXCEEDED', limitName: 'apiKey.monthlyTokens', limit: fits * perCall + Math.floor(perCall / 2), reset: expect.any(String) });
      expect(hookData(r.json).left).toBeLessThan(perCall);
    }
    // Only admitted requests reached the provider.
    const calls = stub.calls.slice(callsBefore);
    expect(calls).toHaveLength(fits);

    // The ledger: exactly one row per provider call (the row names the provider's answer id),
    // and one per completed request, equal to the usage the provider reported in that answer.
    const rows = await ledgerFor(tenant.org.id, calls);
    expect(rows).toHaveLength(fits);
    expect(rows.map((r) => (r.metadata as { providerResponseId?: string }).providerResponseId).sort()).toEqual(calls.map((c) => c.id).sort());
    const byRequest = new Map(rows.map((r) => [(r.metadata as { requestId?: string }).requestId, r]));
    for (const a of completed) {
      const row = byRequest.get(a.id);
      expect(row, `ledger row for ${a.id}`).toBeDefined();
      expect((row!.metadata as { providerResponseId?: string }).providerResponseId).toBe(a.json.id);
      expect({ input: row!.inputTokens, output: row!.outputTokens, total: row!.totalTokens }).toEqual({
        input: a.json.usage.prompt_tokens, output: a.json.usage.completion_tokens, total: a.json.usage.total_tokens,
      });
    }
    const keyCounter = await t.db.quotaCounter.findFirst({ where: { organizationId: tenant.org.id, subjectType: 'API_KEY', metric: 'TOKENS' } });
    expect(Number(keyCounter!.used)).toBe(fits * perCall);
    expect(Number(keyCounter!.reserved)).toBe(0);
  }, 300_000);

  it('the ledger keeps the provider\'s figures, not the estimate, and freed estimate admits later requests', async () => {
    const tenant = await usageTenant(t.db);
    const key = await gatewayKey(tenant, { maxTokens: 1000 });
    stub.usage = { prompt_tokens: 3, completion_tokens: 2 };
    const body = { model: tenant.model.providerModelId, max_tokens: 500, messages: [{ role: 'user', content: 'hi' }] };
    const answers = [];
    // Each call holds ~510 tokens but uses 5: sequential calls keep fitting.
    for (let i = 0; i < 5; i++) answers.push(await gatewayChat(gateway.baseUrl, configFor(key.secret), crypto.randomUUID(), body));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const rows = await ledger(tenant.org.id);
    expect(rows.map((r) => r.totalTokens)).toEqual([5, 5, 5, 5, 5]);
  });

  it('no key, a revoked key or a model the key may not use: 446, and the provider is never called', async () => {
    const tenant = await usageTenant(t.db);
    const other = await createModel(t.db, { providerModelId: `pm-other-${crypto.randomBytes(3).toString('hex')}` });
    await t.db.organizationModelAccess.create({ data: { organizationId: tenant.org.id, modelId: other.id, isEnabledForUsers: true, firstEnabledAt: new Date() } });
    const key = await gatewayKey(tenant, { maxTokens: 100_000, allowedModelIds: [tenant.model.id] });
    const body = (model: string) => ({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
    const callsBefore = stub.calls.length;

    const noKey = await gatewayChat(gateway.baseUrl, configFor(undefined), crypto.randomUUID(), body(tenant.model.providerModelId));
    const badKey = await gatewayChat(gateway.baseUrl, configFor('rgk_not-a-real-key'), crypto.randomUUID(), body(tenant.model.providerModelId));
    const notAllowed = await gatewayChat(gateway.baseUrl, configFor(key.secret), crypto.randomUUID(), body(other.providerModelId));
    const unknown = await gatewayChat(gateway.baseUrl, configFor(key.secret), crypto.randomUUID(), body('gpt-no-such-model'));
    expect([noKey.status, badKey.status, notAllowed.status, unknown.status]).toEqual([446, 446, 446, 446]);
    expect(hookData(noKey.json).code).toBe('UNAUTHENTICATED');
    expect(hookData(badKey.json).code).toBe('UNAUTHENTICATED');
    expect(hookData(notAllowed.json)).toMatchObject({ code: 'INVALID', field: 'model' });
    expect(hookData(unknown.json)).toMatchObject({ code: 'INVALID', field: 'model' });

    const ok = await gatewayChat(gateway.baseUrl, configFor(key.secret), crypto.randomUUID(), body(tenant.model.providerModelId));
    expect(ok.status).toBe(200);
    await t.db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    const revoked = await gatewayChat(gateway.baseUrl, configFor(key.secret), crypto.randomUUID(), body(tenant.model.providerModelId));
    expect(revoked.status).toBe(446);
    expect(hookData(revoked.json).code).toBe('UNAUTHENTICATED');
    // Exactly one call (the admitted one) reached the provider.
    expect(stub.calls.length - callsBefore).toBe(1);
    expect(await ledger(tenant.org.id)).toHaveLength(1);
  });

  it('fail closed (deny + failOnError): an unreachable Realmgate refuses with 446; fail open lets the request through unmetered', async () => {
    const tenant = await usageTenant(t.db);
    const key = await gatewayKey(tenant);
    const body = { model: tenant.model.providerModelId, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] };
    const nowhere = 'http://127.0.0.1:9'; // discard port: connection refused
    const callsBefore = stub.calls.length;
    const closed = await gatewayChat(gateway.baseUrl, realmgateGatewayConfig({ realmgateUrl: nowhere, apiKey: key.secret, providerBaseUrl: stub.baseUrl, failClosed: true }), crypto.randomUUID(), body);
    expect(closed.status).toBe(446);
    expect(stub.calls.length - callsBefore).toBe(0);
    const open = await gatewayChat(gateway.baseUrl, realmgateGatewayConfig({ realmgateUrl: nowhere, apiKey: key.secret, providerBaseUrl: stub.baseUrl, failClosed: false }), crypto.randomUUID(), body);
    expect(open.status).toBe(200);
    expect(stub.calls.length - callsBefore).toBe(1);
  });

  it('a streamed request: the after hook carries no usage, so the hold is settled at its estimate', async () => {
    const tenant = await usageTenant(t.db);
    const key = await gatewayKey(tenant, { maxTokens: 100_000 });
    const body = { model: tenant.model.providerModelId, max_tokens: 40, stream: true, messages: [{ role: 'user', content: 'Stream me a greeting.' }] };
    const callsBefore = stub.calls.length;
    const id = crypto.randomUUID();
    // Gateway 1.15.2 on Node 20 answers a streamed request with 500 (TypeError: immutable,
    // Portkey-AI/gateway#1389) after the provider answered; the hooks ran either way.
    await gatewayChat(gateway.baseUrl, configFor(key.secret), id, body);
    expect(stub.calls.length - callsBefore).toBe(1);
    const rows = await ledger(tenant.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.totalTokens).toBe(estimatePromptTokens(body) + 40);
    expect(rows[0]!.metadata).toMatchObject({ requestId: id, streamed: true, estimated: true });
  });
});

/**
 * A TCP proxy that holds each connection's bytes for `delayMs` before opening the way to
 * `target`; a client that gives up sooner (the gateway's webhook timeout) closes the
 * connection and nothing reaches the target: a Realmgate too slow or unreachable for the
 * after hook, deterministically.
 */
async function slowProxy(target: string, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    const held: Buffer[] = [];
    let upstream: net.Socket | null = null;
    client.on('data', (b) => (upstream ? upstream.write(b) : held.push(b)));
    client.on('error', () => {});
    client.on('close', () => upstream?.destroy());
    setTimeout(() => {
      if (client.destroyed) return;
      upstream = net.connect(Number(port), hostname, () => held.forEach((b) => upstream!.write(b)));
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      upstream.pipe(client);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: async () => {
      for (const sk of sockets) sk.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('a second instance with a one-second hold TTL: holds the gateway never settles expire unused; after hooks find holds made elsewhere', () => {
  // An app with a one-second reservation TTL on the same database, so expiry is seen quickly.
  let ttlApp: RunningApp;
  beforeAll(async () => {
    ttlApp = await startRunningApp(t, { USAGE_RESERVATION_TTL_SECONDS: '1' });
  });
  afterAll(async () => {
    await ttlApp?.close();
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const reservationOf = (orgId: string, requestId: string) =>
    t.db.usageReservation.findFirst({ where: { organizationId: orgId, idempotencyKey: `portkey:${requestId}` } });
  const keyCounter = async (orgId: string) => {
    const c = await t.db.quotaCounter.findFirst({ where: { organizationId: orgId, subjectType: 'API_KEY', metric: 'TOKENS' } });
    return { used: Number(c!.used), reserved: Number(c!.reserved) };
  };

  it('an after hook answered by another instance than its before hook finds the hold in SQL and settles it', async () => {
    // Each instance remembers the holds its own before hooks made (a shortcut); this one made none.
    const tenant = await usageTenant(t.db);
    const key = await gatewayKey(tenant, { maxTokens: 1000 });
    const id = crypto.randomUUID();
    const hookPost = async (base: string, hook: 'before' | 'after', payload: unknown) => (await fetch(`${base}/api/v1/integrations/portkey/${hook}`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` }, body: JSON.stringify(payload),
    })).json() as Promise<{ verdict: boolean; data: any }>;
    const request = { json: { model: tenant.model.providerModelId, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, text: 'hi', isStreamingRequest: false };
    const meta = { provider: 'openai', requestType: 'chatComplete', metadata: { realmgate_request_id: id } };
    const held = await hookPost(app.baseUrl, 'before', { ...meta, request, response: { json: {}, statusCode: null }, eventType: 'beforeRequestHook' });
    expect(held.verdict).toBe(true);
    const usage = { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 };
    const settled = await hookPost(ttlApp.baseUrl, 'after', { ...meta, request, response: { json: { id: `resp-${id}`, usage }, statusCode: 200 }, eventType: 'afterRequestHook' });
    expect(settled).toMatchObject({ verdict: true, data: { recorded: true, reservationId: held.data.reservationId, status: 'SETTLED' } });
    expect((await ledger(tenant.org.id)).map((r) => r.totalTokens)).toEqual([9]);
    expect(await keyCounter(tenant.org.id)).toEqual({ used: 9, reserved: 0 });
  });

  it('the provider fails: the gateway skips the after hook, the hold blocks its estimate until it expires, then is given back unused', async () => {
    const tenant = await usageTenant(t.db);
    const body = { model: tenant.model.providerModelId, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] };
    const perCall = estimatePromptTokens(body) + 8;
    const key = await gatewayKey(tenant, { maxTokens: perCall + Math.floor(perCall / 2) }); // room for one hold
    const config = realmgateGatewayConfig({ realmgateUrl: ttlApp.baseUrl, apiKey: key.secret, providerBaseUrl: stub.baseUrl, timeoutMs: HOOK_TIMEOUT_MS });
    const callsBefore = stub.calls.length;
    const [failedId, blockedId, laterId] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    stub.failWith = 500;
    let failed;
    try {
      failed = await gatewayChat(gateway.baseUrl, config, failedId, body);
    } finally {
      stub.failWith = null;
    }
    expect(failed.status).toBe(500);
    expect(stub.calls.length - callsBefore).toBe(1);
    // No after hook came (1.15.2 skips it for a non-200 answer): the hold is still held.
    expect((await reservationOf(tenant.org.id, failedId))!.status).toBe('HELD');
    const blocked = await gatewayChat(gateway.baseUrl, config, blockedId, body);
    expect(blocked.status).toBe(446);
    expect(hookData(blocked.json)).toMatchObject({ code: 'QUOTA_EXCEEDED', limitName: 'apiKey.monthlyTokens' });

    await sleep(1500); // past the TTL: the next batch of the organization gives the hold back
    stub.usage = { prompt_tokens: 3, completion_tokens: 4 };
    const later = await gatewayChat(gateway.baseUrl, config, laterId, body);
    expect(later.status).toBe(200);
    expect((await reservationOf(tenant.org.id, failedId))!.status).toBe('EXPIRED');
    const rows = await ledgerFor(tenant.org.id, [later.json]);
    expect(rows.map((r) => [(r.metadata as { requestId?: string }).requestId, r.totalTokens])).toEqual([[laterId, 7]]);
    expect(await keyCounter(tenant.org.id)).toEqual({ used: 7, reserved: 0 });
  });

  it('an after hook the gateway gave up on (timeout) never reaches Realmgate: the client still gets 200, the usage is lost, the hold expires unused', async () => {
    const tenant = await usageTenant(t.db);
    const key = await gatewayKey(tenant, { maxTokens: 100_000 });
    const body = { model: tenant.model.providerModelId, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] };
    const slow = await slowProxy(ttlApp.baseUrl, 3000);
    try {
      const config = realmgateGatewayConfig({ realmgateUrl: ttlApp.baseUrl, apiKey: key.secret, providerBaseUrl: stub.baseUrl, timeoutMs: HOOK_TIMEOUT_MS });
      const afterCheck = (config.after_request_hooks as Array<{ checks: Array<{ parameters: Record<string, unknown> }> }>)[0]!.checks[0]!;
      afterCheck.parameters.webhookURL = `${slow.url}/api/v1/integrations/portkey/after`;
      afterCheck.parameters.timeout = 300;
      stub.usage = { prompt_tokens: 5, completion_tokens: 6 };
      const callsBefore = stub.calls.length;
      const lostId = crypto.randomUUID();
      const lost = await gatewayChat(gateway.baseUrl, config, lostId, body);
      // The errored after check counts as passed (deny: false, no failOnError): the client gets the answer.
      expect(lost.status).toBe(200);
      expect(lost.json.hook_results.after_request_hooks[0].checks[0].error).toBeDefined();
      expect(stub.calls.length - callsBefore).toBe(1);
      await sleep(1500); // the proxy's delay has not passed: nothing was forwarded; the TTL has
      const normal = realmgateGatewayConfig({ realmgateUrl: ttlApp.baseUrl, apiKey: key.secret, providerBaseUrl: stub.baseUrl, timeoutMs: HOOK_TIMEOUT_MS });
      const next = await gatewayChat(gateway.baseUrl, normal, crypto.randomUUID(), body);
      expect(next.status).toBe(200);
      // The lost call has no row and its hold was given back unused; the next call is charged as reported.
      expect((await reservationOf(tenant.org.id, lostId))!.status).toBe('EXPIRED');
      const rows = await ledgerFor(tenant.org.id, [next.json]);
      expect(rows.map((r) => (r.metadata as { providerResponseId?: string }).providerResponseId)).toEqual([next.json.id]);
      expect(await keyCounter(tenant.org.id)).toEqual({ used: 11, reserved: 0 });
    } finally {
      await slow.close();
    }
  });
});

describe('the webhooks called directly, as a replaying gateway would', () => {
  const post = async (hook: 'before' | 'after', secret: string | undefined, payload: unknown) => {
    const res = await fetch(`${app.baseUrl}/api/v1/integrations/portkey/${hook}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
      body: JSON.stringify(payload),
    });
    return { status: res.status, body: (await res.json()) as { verdict: boolean; data: any } };
  };
  const payload = (eventType: 'beforeRequestHook' | 'afterRequestHook', requestId: string, model: string, response?: unknown) => ({
    request: { json: { model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, text: 'hi', isStreamingRequest: false, isTransformed: false },
    response: response ?? { json: {}, text: '', statusCode: null, isTransformed: false },
    provider: 'openai', requestType: 'chatComplete', metadata: { realmgate_request_id: requestId }, eventType,
  });
  const answered = (prompt: number, completion: number) => ({ json: { id: 'x', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } }, text: '', statusCode: 200, isTransformed: false });

  it('replayed hooks count once', async () => {
    const tenant = await usageTenant(t.db);
    const key = await gatewayKey(tenant, { maxTokens: 1000 });
    const id = crypto.randomUUID();
    const model = tenant.model.providerModelId;
    const first = await post('before', key.secret, payload('beforeRequestHook', id, model));
    expect(first).toMatchObject({ status: 200, body: { verdict: true } });
    // While the hold is open a replay gets the same hold (a client retrying after a timed-out hook).
    const replays = await Promise.all([1, 2, 3].map(() => post('before', key.secret, payload('beforeRequestHook', id, model))));
    for (const r of replays) expect(r.body).toMatchObject({ verdict: true, data: { reservationId: first.body.data.reservationId, replayed: true } });
    const held = await t.db.quotaCounter.findFirst({ where: { organizationId: tenant.org.id, subjectType: 'API_KEY', metric: 'TOKENS' } });
    expect(Number(held!.reserved)).toBe(first.body.data.heldTokens);
    const afters = await Promise.all([1, 2, 3, 4].map(() => post('after', key.secret, payload('afterRequestHook', id, model, answered(6, 4)))));
    for (const a of afters) expect(a.body).toMatchObject({ verdict: true, data: { recorded: true, usage: { totalTokens: 10 } } });
    // Once settled, the id is spent: another provider call cannot ride on it.
    expect((await post('before', key.secret, payload('beforeRequestHook', id, model))).body).toMatchObject({ verdict: false, data: { code: 'CONFLICT' } });
    const rows = await ledger(tenant.org.id);
    expect(rows.map((r) => r.totalTokens)).toEqual([10]);
    const counter = await t.db.quotaCounter.findFirst({ where: { organizationId: tenant.org.id, subjectType: 'API_KEY', metric: 'TOKENS' } });
    expect([Number(counter!.used), Number(counter!.reserved)]).toEqual([10, 0]);
  });

  it('an after hook without a hold records the usage once', async () => {
    const tenant = await usageTenant(t.db);
    const key = await gatewayKey(tenant, { maxTokens: 1000 });
    const id = crypto.randomUUID();
    const answers = await Promise.all([1, 2, 3].map(() => post('after', key.secret, payload('afterRequestHook', id, tenant.model.providerModelId, answered(7, 5)))));
    for (const a of answers) expect(a.body).toMatchObject({ verdict: true, data: { recorded: true, reservationId: null } });
    expect((await ledger(tenant.org.id)).map((r) => r.totalTokens)).toEqual([12]);
  });

  it('a key of another organization can neither settle nor release the hold', async () => {
    const owner = await usageTenant(t.db);
    const stranger = await usageTenant(t.db, {}, { providerModelId: owner.model.providerModelId + '-s' });
    const ownerKey = await gatewayKey(owner, { maxTokens: 1000 });
    const strangerKey = await gatewayKey(stranger, { maxTokens: 1000 });
    const id = crypto.randomUUID();
    const held = await post('before', ownerKey.secret, payload('beforeRequestHook', id, owner.model.providerModelId));
    expect(held.body.verdict).toBe(true);
    const reservationId = held.body.data.reservationId;
    // The stranger names the same request id: a release (provider failure) and a settle.
    const release = await post('after', strangerKey.secret, payload('afterRequestHook', id, stranger.model.providerModelId, { json: {}, statusCode: 500 }));
    expect(release.body.data).toMatchObject({ recorded: false });
    const settle = await post('after', strangerKey.secret, payload('afterRequestHook', id, owner.model.providerModelId, answered(50, 50)));
    expect(settle.body.verdict).toBe(false); // the owner's model is not the stranger's
    const reservation = await t.db.usageReservation.findFirst({ where: { organizationId: owner.org.id, id: reservationId } });
    expect(reservation!.status).toBe('HELD');
    expect(await ledger(owner.org.id)).toHaveLength(0);
    // The owner's own after hook still settles it.
    const own = await post('after', ownerKey.secret, payload('afterRequestHook', id, owner.model.providerModelId, answered(6, 4)));
    expect(own.body).toMatchObject({ verdict: true, data: { reservationId, status: 'SETTLED' } });
  });

  it('a provider failure releases the hold; bad payloads and keys are verdict false with status 200', async () => {
    const tenant = await usageTenant(t.db);
    const key = await gatewayKey(tenant, { maxTokens: 1000 });
    const id = crypto.randomUUID();
    const model = tenant.model.providerModelId;
    expect((await post('before', key.secret, payload('beforeRequestHook', id, model))).body.verdict).toBe(true);
    const failed = await post('after', key.secret, payload('afterRequestHook', id, model, { json: { error: { message: 'boom' } }, statusCode: 502 }));
    expect(failed.body).toMatchObject({ verdict: true, data: { recorded: false, status: 'RELEASED' } });
    const counter = await t.db.quotaCounter.findFirst({ where: { organizationId: tenant.org.id, subjectType: 'API_KEY', metric: 'TOKENS' } });
    expect([Number(counter!.used), Number(counter!.reserved)]).toEqual([0, 0]);

    const noId = { ...payload('beforeRequestHook', 'x', model), metadata: {} };
    expect(await post('before', key.secret, noId)).toMatchObject({ status: 200, body: { verdict: false, data: { code: 'INVALID' } } });
    expect(await post('before', undefined, payload('beforeRequestHook', crypto.randomUUID(), model))).toMatchObject({ status: 200, body: { verdict: false, data: { code: 'UNAUTHENTICATED' } } });
    expect(await post('after', key.secret, payload('beforeRequestHook', crypto.randomUUID(), model))).toMatchObject({ status: 200, body: { verdict: false, data: { code: 'INVALID', field: 'eventType' } } });
    const malformed = await fetch(`${app.baseUrl}/api/v1/integrations/portkey/before`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` }, body: '{"x":' });
    expect(malformed.status).toBe(200);
    expect(await malformed.json()).toMatchObject({ verdict: false, data: { code: 'INVALID' } });
    expect(await ledger(tenant.org.id)).toHaveLength(0);
  });
});
