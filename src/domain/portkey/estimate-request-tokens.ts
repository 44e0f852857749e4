/**
 * How many tokens a chat or completion request may use, known before the
 * provider answers: the prompt's size, approximated, plus the most the answer
 * may be.
 *
 * The prompt approximation (no tokenizer package: none that is well kept fits
 * every provider's vocabulary, and the hold is corrected by the provider's
 * reported usage on settle anyway): one token per 4 bytes of UTF-8 text,
 * rounded up, per message (OpenAI's rule of thumb for English; bytes rather
 * than characters so non-Latin scripts, whose characters are often a token
 * each, are not underestimated fourfold), plus 4 tokens of framing per message
 * and 3 for the reply's priming. Text parts of multi-part contents, the
 * `system` field (Anthropic's messages), a completion `prompt` and tool
 * definitions count; images and audio do not.
 *
 * The answer's bound: `max_tokens` (or `max_completion_tokens`) times `n`
 * choices. Without one the provider may write until its own limit, so the
 * bound is `defaultMaxTokens` (PORTKEY_DEFAULT_MAX_TOKENS): reserving the
 * tenant's whole remaining budget instead would block every other request of
 * that tenant until this one settles.
 */
export const BYTES_PER_TOKEN = 4;
export const TOKENS_PER_MESSAGE = 4;
export const REPLY_PRIMING_TOKENS = 3;

const textTokens = (text: string) => Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN);

/** The text of a message content: a string, or the `text` of each part of an array. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join('\n');
  }
  return '';
}

/** The prompt's approximate size in tokens (see the module comment). */
export function estimatePromptTokens(body: Record<string, unknown>): number {
  let tokens = 0;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages) {
    tokens += TOKENS_PER_MESSAGE + textTokens(contentText(m && typeof m === 'object' ? (m as { content?: unknown }).content : undefined));
  }
  if (body.system !== undefined) tokens += TOKENS_PER_MESSAGE + textTokens(contentText(body.system));
  if (typeof body.prompt === 'string') tokens += textTokens(body.prompt);
  else if (Array.isArray(body.prompt)) tokens += body.prompt.reduce<number>((n, p) => n + (typeof p === 'string' ? textTokens(p) : 0), 0);
  if (Array.isArray(body.tools) || Array.isArray(body.functions)) tokens += textTokens(JSON.stringify(body.tools ?? body.functions));
  return tokens + REPLY_PRIMING_TOKENS;
}

const positiveInt = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null);

/** The most the answer may use: max_tokens (or max_completion_tokens, else the default) per choice. */
export function estimateOutputTokens(body: Record<string, unknown>, defaultMaxTokens: number): number {
  const perChoice = positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens) ?? defaultMaxTokens;
  const choices = positiveInt(body.n) ?? 1;
  return perChoice * choices;
}

export interface RequestEstimate {
  promptTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export function estimateRequestTokens(body: Record<string, unknown>, defaultMaxTokens: number): RequestEstimate {
  const promptTokens = estimatePromptTokens(body);
  const outputTokens = estimateOutputTokens(body, defaultMaxTokens);
  return { promptTokens, outputTokens, totalTokens: promptTokens + outputTokens };
}
