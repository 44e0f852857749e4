/**
 * The `x-portkey-config` that puts Realmgate in front of a provider, as the
 * README tells users to write it: both hooks are Realmgate's webhooks with the
 * API key in their headers. The before hook always has `deny: true` (a
 * refusal stops the request with 446 before the provider is called);
 * `failClosed` adds `failOnError: true`, so an unreachable or slow Realmgate
 * stops it too; without it such a request passes unmetered (fail open).
 */
export function realmgateGatewayConfig(options: {
  realmgateUrl: string;
  apiKey?: string;
  providerBaseUrl: string;
  providerApiKey?: string;
  failClosed?: boolean;
  /** The gateway's wait for each webhook, ms (its default is 3000). */
  timeoutMs?: number;
}): Record<string, unknown> {
  const headers = options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {};
  const failClosed = options.failClosed ?? true;
  const check = (hook: 'before' | 'after', extra: Record<string, unknown> = {}) => ({
    id: 'default.webhook',
    parameters: { webhookURL: `${options.realmgateUrl}/api/v1/integrations/portkey/${hook}`, headers, timeout: options.timeoutMs ?? 3000, ...extra },
  });
  return {
    provider: 'openai',
    api_key: options.providerApiKey ?? 'sk-stub',
    custom_host: options.providerBaseUrl,
    before_request_hooks: [{ type: 'guardrail', id: 'realmgate-before', deny: true, checks: [check('before', failClosed ? { failOnError: true } : {})] }],
    after_request_hooks: [{ type: 'guardrail', id: 'realmgate-after', deny: false, checks: [check('after')] }],
  };
}

/** One chat completion through the gateway, with the request id both hooks meet on. */
export async function gatewayChat(
  gatewayUrl: string,
  config: Record<string, unknown>,
  requestId: string,
  body: Record<string, unknown>,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-portkey-config': JSON.stringify(config),
      'x-portkey-metadata': JSON.stringify({ realmgate_request_id: requestId }),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}
