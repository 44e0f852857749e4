import type { ActionResponse, After, Before, ResourceOptions } from 'adminjs';
import type { AppDeps } from '../../app.js';
import type { SecretWriter } from '../prisma-resource.js';

/** What a <name>.resource.ts factory may add to the generic resource. */
export interface ResourceSpec {
  options?: ResourceOptions;
  writeSecrets?: SecretWriter;
}

export type ResourceFactory = (deps: AppDeps) => ResourceSpec;

export type AfterHook = After<ActionResponse>;
export type { Before };

/** Actions an append-only or system table refuses (the database refuses them too). */
export const READ_ONLY_ACTIONS = {
  new: { isAccessible: false },
  edit: { isAccessible: false },
  delete: { isAccessible: false },
  bulkDelete: { isAccessible: false },
} as const;
