import { describe, expect, it } from 'vitest';
import { estimatePromptTokens, estimateRequestTokens } from './estimate-request-tokens.js';

describe('estimateRequestTokens', () => {
  it('counts 1 token per 4 UTF-8 bytes per message, 4 per message and 3 for the reply, plus max_tokens', () => {
    const body = { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there!' }], max_tokens: 50 };
    // 'be brief' = 8 bytes -> 2; 'hello there!' = 12 bytes -> 3; 2 messages x 4; reply 3
    expect(estimateRequestTokens(body, 4096)).toEqual({ promptTokens: 2 + 3 + 8 + 3, outputTokens: 50, totalTokens: 66 });
  });

  it('uses max_completion_tokens, multiplies by n, and falls back to the ceiling without a bound', () => {
    const messages = [{ role: 'user', content: 'x' }];
    expect(estimateRequestTokens({ messages, max_completion_tokens: 10, n: 3 }, 4096).outputTokens).toBe(30);
    expect(estimateRequestTokens({ messages }, 777).outputTokens).toBe(777);
    expect(estimateRequestTokens({ messages, max_tokens: 0 }, 777).outputTokens).toBe(777);
    expect(estimateRequestTokens({ messages, max_tokens: 'lots' }, 777).outputTokens).toBe(777);
  });

  it('reads text parts, Anthropic system, completion prompts and tools; non-Latin text by bytes', () => {
    expect(estimatePromptTokens({ messages: [{ role: 'user', content: [{ type: 'text', text: 'abcdefgh' }, { type: 'image_url', image_url: { url: 'data:...' } }] }] })).toBe(4 + 3 + 3);
    expect(estimatePromptTokens({ system: 'abcd', messages: [] })).toBe(4 + 1 + 3);
    expect(estimatePromptTokens({ prompt: 'abcdefgh' })).toBe(2 + 3);
    expect(estimatePromptTokens({ messages: [{ role: 'user', content: '日本語' }] })).toBe(4 + Math.ceil(9 / 4) + 3);
    expect(estimatePromptTokens({ messages: [], tools: [{ type: 'function' }] })).toBeGreaterThan(3);
  });
});
