import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stub answers every chat completion with (the provider's reported usage). */
export interface StubUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface StubProvider {
  /** http://127.0.0.1:<port>/v1, the value for the gateway's `custom_host`. */
  baseUrl: string;
  /** Chat completions that reached the provider, in arrival order. */
  calls: Array<{ id: string; body: Record<string, unknown>; authorization: string | undefined }>;
  /** The usage of one answer; change it between requests to vary what is reported. */
  usage: StubUsage;
  /** When set, the next answers use this HTTP status with an OpenAI-style error body. */
  failWith: number | null;
  close(): Promise<void>;
}

/**
 * A minimal OpenAI-compatible provider for the gateway tests and bench:
 * POST /v1/chat/completions answers a fixed text with fixed usage, as JSON or,
 * with `stream: true`, as server-sent events ending with a usage chunk and
 * `data: [DONE]`. It records every call so a test can prove which requests
 * reached the provider.
 */
export async function startStubProvider(usage: StubUsage = { prompt_tokens: 7, completion_tokens: 5 }): Promise<StubProvider> {
  let seq = 0;
  const state: Omit<StubProvider, 'baseUrl' | 'close'> = { calls: [], usage, failWith: null };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad json"}}');
        return;
      }
      const id = `chatcmpl-stub-${++seq}`;
      state.calls.push({ id, body, authorization: req.headers.authorization });
      if (state.failWith) {
        res.writeHead(state.failWith, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'stub provider failure', type: 'server_error', code: null } }));
        return;
      }
      const { prompt_tokens, completion_tokens } = state.usage;
      const usageBody = { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
      const model = String(body.model ?? 'stub');
      const created = Math.floor(Date.now() / 1000);
      if (body.stream === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
        res.write(chunk({ role: 'assistant', content: 'Hello' }, null));
        res.write(chunk({ content: ' from the stub' }, null));
        res.write(chunk({}, 'stop'));
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageBody })}\n\n`);
        res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the stub' }, finish_reason: 'stop' }],
          usage: usageBody,
        }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).on('error', reject));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
