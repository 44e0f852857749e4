import { READ_ONLY_ACTIONS, type ResourceFactory } from './resource-spec.js';

/** Append-only tables (usage_events, audit_logs): list and show only; triggers reject the rest anyway. */
export const ledgerResource: ResourceFactory = () => ({
  options: {
    sort: { sortBy: 'occurredAt', direction: 'desc' },
    actions: { ...READ_ONLY_ACTIONS },
  },
});
