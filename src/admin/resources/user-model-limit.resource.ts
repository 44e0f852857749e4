import type { ResourceFactory } from './resource-spec.js';
import { quantity, screen } from './screen-kit.js';

/** Per-user overrides of a model's token limit, set by an org admin. */
export const userModelLimitResource: ResourceFactory = () => ({
  options: screen({
    list: ['user', 'model', 'organization', 'isEnabled', 'tokenLimit'],
    filter: ['user', 'model', 'organization', 'isEnabled'],
    show: ['user', 'model', 'organization', 'isEnabled', 'tokenLimit', 'createdAt', 'updatedAt', 'id'],
    edit: ['user', 'model', 'organization', 'isEnabled', 'tokenLimit'],
    properties: {
      tokenLimit: quantity("Model's limit", undefined, "Tokens per period. Empty = the organization's or model's limit."),
      isEnabled: { description: 'Unticked = this user may not use the model.' },
    },
  }),
});
