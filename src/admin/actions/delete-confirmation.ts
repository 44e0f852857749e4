import type { Action, ActionResponse } from 'adminjs';

type ActionOptions = Action<ActionResponse>;
import { Components } from '../components.js';
import { countedLabel, singularLabel } from '../resources/labels.js';

/**
 * Delete and bulk delete ask with the record named ("Delete organization
 * Acme Marketing?", "Delete 3 API keys?") in a page of their own instead of
 * AdminJS's nameless "Do you really want to remove this item?" modal. The
 * handlers stay AdminJS's (and guard-action.ts's all-or-nothing bulk delete);
 * the page posts to them.
 */
export function namedDeleteConfirmation(modelName: string, action: string): Partial<ActionOptions> {
  if (action !== 'delete' && action !== 'bulkDelete') return {};
  return {
    component: Components.ActionDeleteRecord,
    guard: '',
    custom: { singular: singularLabel(modelName), plural: countedLabel(modelName, 2).replace(/^2 /, '') },
  };
}
