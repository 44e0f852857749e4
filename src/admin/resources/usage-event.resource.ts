import { ledgerResource } from './ledger.resource.js';
import type { ResourceFactory } from './resource-spec.js';
import { quantity, readableJson, screen } from './screen-kit.js';

/** The usage ledger (append-only): who used which model, when, how many tokens. */
export const usageEventResource: ResourceFactory = (deps) => {
  const ledger = ledgerResource(deps).options!;
  return {
    options: {
      ...ledger,
      ...screen({
        list: ['occurredAt', 'organization', 'user', 'model', 'apiKey', 'totalTokens'],
        // Each filter is served by an index (0012_scale); the list pages by keyset (src/admin/ledger).
        filter: ['occurredAt', 'organization', 'user', 'model', 'apiKey', 'realm'],
        show: ['occurredAt', 'organization', 'user', 'apiKey', 'realm', 'model', 'inputTokens', 'outputTokens', 'totalTokens', 'requests', 'idempotencyKey', 'metadata', 'id'],
        properties: {
          inputTokens: quantity('0'),
          outputTokens: quantity('0'),
          totalTokens: quantity('0'),
          requests: quantity('0'),
          metadata: readableJson(),
        },
      }),
    },
  };
};
