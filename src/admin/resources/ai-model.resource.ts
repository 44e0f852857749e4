import type { ActionResponse, RecordJSON } from 'adminjs';
import { relatedRecords } from './related-records.js';
import type { ResourceFactory } from './resource-spec.js';
import { chips, computed, iconName, quantity, readableJson, screen, SHOW_ONLY, when } from './screen-kit.js';
import { writeOnlySecrets } from './write-only-secrets.js';
import { Components } from '../components.js';

/** "Free", "Trial · 14 days" or "Paid" (from isFree / isTrial / trialDays), and whose model it is. */
async function offer(response: ActionResponse): Promise<ActionResponse> {
  const records = [...((response.records as RecordJSON[] | undefined) ?? []), ...(response.record ? [response.record as RecordJSON] : [])];
  for (const r of records) {
    const p = r.params ?? {};
    const trial = p.isTrial === true || p.isTrial === 'true';
    const free = p.isFree === true || p.isFree === 'true';
    const days = p.trialDays == null || p.trialDays === '' ? '' : ` · ${p.trialDays} days`;
    p.offer = free ? (trial ? `Free · trial${days}` : 'Free') : trial ? `Trial${days}` : 'Paid';
    p.availability = p.organization ? 'Custom model of the owner organization' : 'System model: offered to every organization its plan and type allow';
  }
  return response;
}

/**
 * AI models: icon and name, who may use them (plan, organization types) and the
 * offer. The provider API key is a write-only field, encrypted into
 * providerApiKeyEncrypted; pages only say whether one is stored.
 */
export const aiModelResource: ResourceFactory = ({ db, config }) => {
  const secrets = writeOnlySecrets(db, 'AiModel', config.ENCRYPTION_KEY, [
    { input: 'providerApiKey', column: 'providerApiKeyEncrypted', description: "The provider's API key for this model. Write-only: stored encrypted, never shown again. Leave empty to keep the stored key." },
  ]);
  const related = relatedRecords(db, [
    {
      title: 'Organizations with access',
      resource: 'OrganizationModelAccess',
      where: (id) => ({ modelId: id }),
      filter: 'model',
      columns: ['Organization', 'Enabled for users', 'Token limit per user', 'First enabled'],
      select: { isEnabledForUsers: true, tokenLimitPerUser: true, firstEnabledAt: true, organization: { select: { name: true } } },
      orderBy: { organization: { name: 'asc' } },
      cells: (a) => [
        a.organization?.name ?? '',
        a.isEnabledForUsers ? 'Yes' : 'No',
        a.tokenLimitPerUser == null ? "Model's limit" : Number(a.tokenLimitPerUser).toLocaleString('en-US'),
        when(a.firstEnabledAt),
      ],
      muted: (a) => !a.isEnabledForUsers,
    },
  ]);

  return {
    options: {
      ...screen({
        list: ['name', 'provider', 'requiredPlan', 'organizationTypes', 'offer', 'isActive'],
        filter: ['name', 'provider', 'organization', 'requiredPlan', 'isFree', 'isTrial', 'isActive', 'isFeatured', 'createdAt'],
        show: [
          'icon', 'name', 'description', 'availability', 'organization', 'isActive', 'isFeatured', 'provider', 'providerModelId', 'endpoint', 'providerApiKeyStatus',
          'role', 'systemMessage', 'tasks', 'maxTokens', 'requiredPlan', 'organizationTypes', 'offer', 'isFree', 'isTrial', 'trialDays',
          'tokenLimitPeriod', 'tokenLimitAmount', 'tags', 'sortOrder', 'createdAt', 'updatedAt', 'id', 'related',
        ],
        edit: [
          'name', 'icon', 'description', 'organization', 'isActive', 'isFeatured', 'provider', 'providerModelId', 'endpoint', 'providerApiKey',
          'role', 'systemMessage', 'tasks', 'maxTokens', 'requiredPlan', 'organizationTypes', 'isFree', 'isTrial', 'trialDays',
          'tokenLimitPeriod', 'tokenLimitAmount', 'tags', 'sortOrder',
        ],
        properties: {
          ...secrets.properties,
          name: iconName('icon'),
          icon: { description: 'A feather icon name from the AdminJS icon set (https://feathericons.com), e.g. FileText, shown before the name.' },
          description: { type: 'textarea' },
          organization: { description: 'Empty = a system model, offered to every eligible organization.' },
          providerModelId: { description: "The provider's name for the model, e.g. gpt-4o." },
          role: { description: 'Who the assistant acts as, e.g. "Senior content marketer".' },
          systemMessage: { type: 'textarea' },
          tasks: { components: { ...readableJson().components, edit: Components.TaskListEdit }, description: 'What the model is set up for: a name and the prompt that starts it.' },
          maxTokens: quantity(),
          organizationTypes: { ...chips('All types', true), description: 'Empty = every organization type.' },
          requiredPlan: { description: 'The lowest pricing plan that may use the model.' },
          tokenLimitAmount: quantity('No limit', undefined, 'Tokens per user per period. Empty = no limit.'),
          trialDays: { description: 'Length of the trial, counted from the day an organization first enables the model.' },
          tags: { ...chips('None'), components: { ...chips('None').components, edit: Components.TagSelect } },
          offer: computed(),
          availability: computed(SHOW_ONLY),
          related: related.property,
        },
      }),
      sort: { sortBy: 'sortOrder', direction: 'asc' },
      actions: {
        list: { after: [offer] },
        show: { after: [offer, secrets.after, related.after] },
        edit: { after: [secrets.after] },
        new: { after: [secrets.after] },
      },
    },
    writeSecrets: secrets.writeSecrets,
  };
};
