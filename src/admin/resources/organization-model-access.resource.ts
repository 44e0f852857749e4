import type { ResourceFactory } from './resource-spec.js';
import { quantity, screen } from './screen-kit.js';

/** Which AI models an organization has switched on, and for its users with what limit. */
export const organizationModelAccessResource: ResourceFactory = () => ({
  options: screen({
    list: ['organization', 'model', 'isEnabledForUsers', 'tokenLimitPerUser', 'firstEnabledAt'],
    filter: ['organization', 'model', 'isEnabledForUsers', 'firstEnabledAt'],
    show: ['organization', 'model', 'isEnabledForUsers', 'tokenLimitPerUser', 'firstEnabledAt', 'createdAt', 'updatedAt', 'id'],
    edit: ['organization', 'model', 'isEnabledForUsers', 'tokenLimitPerUser'],
    properties: {
      tokenLimitPerUser: quantity("Model's limit", undefined, "Tokens per user per period. Empty = the model's own limit."),
      firstEnabledAt: { description: 'Trials count from here.' },
    },
  }),
});
