import { getModelByName } from '@adminjs/prisma';
import type { ActionContext, ActionResponse, PropertyOptions, RecordJSON, ResourceOptions, ResourceWithOptions } from 'adminjs';
import type { AppDeps } from '../../app.js';
import { clientModule, type Datamodel, type Model } from '../../db/dmmf.js';
import { isSecretField, type RealmgateResourceArgs } from '../prisma-resource.js';
import { mayUse } from '../auth/admin-access.js';
import { enforceMatrix } from '../access/guard-action.js';
import type { AfterHook, ResourceFactory } from './resource-spec.js';
import { SYSTEM_FIELDS } from '../../domain/access/permissions.js';
import { sessionResource } from './session.resource.js';
import { SCREEN_FACTORIES } from './screen-factories.js';
import { withCustomActions } from '../actions/index.js';
import { NOT_IN_PANEL } from './not-in-panel.js';
import { DERIVED_WORDS, STATUS_STYLES } from './status-tones.js';
import { COMPUTED_TITLES, RECORD_TITLE } from '../record-titles.js';
import { Components } from '../components.js';
import { namedDeleteConfirmation } from '../actions/delete-confirmation.js';
import { listHandler } from '../actions/list-action.js';
import { showHandler } from '../actions/record-json.js';

export const GROUPS = {
  Tenancy: 'Home',
  Models: 'Cpu',
  Access: 'Key',
  'Usage and quotas': 'BarChart2',
  Knowledge: 'BookOpen',
  Assistants: 'MessageSquare',
  System: 'Settings',
} as const;
export type Group = keyof typeof GROUPS;

/** Where each model sits in the sidebar; the completeness test wants every model in the panel here. */
export const NAVIGATION: Record<string, Group> = {
  Organization: 'Tenancy',
  User: 'Tenancy',
  Realm: 'Tenancy',
  AiModel: 'Models',
  OrganizationModelAccess: 'Models',
  UserModelLimit: 'Models',
  ApiKey: 'Access',
  Session: 'Access',
  LoginThrottle: 'Access',
  QuotaCounter: 'Usage and quotas',
  UsageEvent: 'Usage and quotas',
  UsageDailyRollup: 'Usage and quotas',
  VectorServer: 'Knowledge',
  KnowledgeBase: 'Knowledge',
  Document: 'Knowledge',
  IngestionJob: 'Knowledge',
  Agent: 'Assistants',
  Tool: 'Assistants',
  ChatSession: 'Assistants',
  ChatMessage: 'Assistants',
  AuditLog: 'System',
  RealmMigrationRun: 'System',
  RealmMigrationItem: 'System',
  // realmgate:scaffold navigation (`realmgate scaffold resource` adds entries above this line)
};

/** The screen factory of each model in the panel. */
export const FACTORIES: Record<string, ResourceFactory> = {
  ...SCREEN_FACTORIES,
  Session: sessionResource,
};

/** The built-in actions and the permission-matrix operation each one is. */
const OPERATIONS = { list: 'read', show: 'read', search: 'read', new: 'create', edit: 'update', delete: 'delete', bulkDelete: 'delete' } as const;
const NEWEST_FIRST = ['occurredAt', 'createdAt', 'startedAt', 'movedAt', 'day'];

/**
 * A resource's arguments as a class instance rather than a plain object: AdminJS
 * deep-merges its options with lodash, which copies plain objects all the way
 * down, here the whole Prisma client and its DMMF for each of ~30 resources
 * (about half a second of every start); an instance is taken by reference.
 */
class ResourceArgs {}

/** Every Prisma model as an AdminJS resource (but NOT_IN_PANEL), grouped for the sidebar. */
export function buildResources(deps: AppDeps, datamodel: Datamodel): ResourceWithOptions[] {
  const module = clientModule(datamodel);
  const groupOrder = Object.keys(GROUPS);
  const models = datamodel.models.filter((m) => !(m.name in NOT_IN_PANEL)).sort(
    (a, b) => groupOrder.indexOf(groupOf(a.name)) - groupOrder.indexOf(groupOf(b.name)),
  );
  return models.map((m) => {
    const model = getModelByName(m.name, module) as Model;
    const spec = FACTORIES[model.name]?.(deps) ?? {};
    const resource: RealmgateResourceArgs = Object.assign(new ResourceArgs(), { model, client: deps.db, clientModule: module, writeSecrets: spec.writeSecrets, reads: deps.reads });
    // The matrix over whatever the spec says: a spec may narrow an action, never widen it.
    // Custom actions (src/admin/actions) join before the matrix, which governs them like the built-in ones.
    const options = withCustomActions(model.name, deps, mergeOptions(defaultOptions(model), spec.options ?? {}));
    return { resource, options: enforceMatrix(model.name, options) };
  });
}

function groupOf(modelName: string): Group {
  return NAVIGATION[modelName] ?? 'System';
}

function defaultOptions(model: Model): ResourceOptions {
  const group = groupOf(model.name);
  const properties: Record<string, PropertyOptions> = {};
  for (const f of model.fields) {
    // Json is edited as text (parsed on save, see prisma-resource.ts); too long for the list.
    if (f.type === 'Json') properties[f.name] = { type: 'textarea', isVisible: { list: false, filter: false, show: true, edit: true } };
    // Converted by prisma-resource.ts (raw type 'string'), shown as a number input.
    if (['Int', 'BigInt', 'Float', 'Decimal'].includes(f.type)) properties[f.name] = { type: 'number' };
  }
  // Maintained by domain functions: shown, never taken from a form (prisma-resource.ts enforces it).
  for (const name of SYSTEM_FIELDS[model.name as keyof typeof SYSTEM_FIELDS] ?? []) {
    if (isSecretField(model.name, name) || !model.fields.some((f) => f.name === name)) continue;
    // A foreign key column is shown as its relation (createdById -> createdBy).
    const relation = model.fields.find((f) => f.kind === 'object' && f.relationFromFields?.[0] === name);
    const key = relation?.name ?? name;
    properties[key] = { ...properties[key], isVisible: { list: false, filter: true, show: true, edit: false } };
  }
  // Status columns as coloured badges, from the one mapping (status-tones.ts).
  for (const [name, style] of Object.entries(STATUS_STYLES[model.name] ?? {})) {
    if (!style.derived && !model.fields.some((f) => f.name === name)) continue;
    properties[name] = {
      ...properties[name],
      ...(style.derived ? { type: 'string' as const, isSortable: false, isVisible: { list: true, filter: false, show: true, edit: false } } : {}),
      components: { list: Components.StatusBadge, show: Components.StatusBadge },
      custom: { tones: style.tones, words: style.words, derived: style.derived, derivedWords: DERIVED_WORDS },
    };
  }
  // A title made of more than one column (a realm and its owner): computed with the rows (record-titles.ts).
  const computedTitle = model.name in COMPUTED_TITLES;
  if (computedTitle) properties[RECORD_TITLE] = { type: 'string', isSortable: false, isVisible: false };
  const sortBy = NEWEST_FIRST.find((n) => model.fields.some((f) => f.name === n));
  const strip = stripSecrets(model.name);
  const actions = Object.fromEntries(
    Object.entries(OPERATIONS).map(([action, op]) => [
      action,
      {
        after: [strip],
        isAccessible: ({ currentAdmin }: ActionContext) => mayUse(currentAdmin, model.name, op),
        ...namedDeleteConfirmation(model.name, action),
        ...(action === 'list' ? { handler: listHandler } : {}),
        ...(action === 'show' ? { handler: showHandler } : {}),
      },
    ]),
  );
  return {
    navigation: { name: group, icon: GROUPS[group] },
    properties,
    actions,
    ...(sortBy ? { sort: { sortBy, direction: 'desc' as const } } : {}),
    ...(computedTitle ? { titleProperty: RECORD_TITLE } : {}),
  };
}

/** Spec options win (per property, per action); `after` hooks run spec first, then the generic secret strip. */
function mergeOptions(base: ResourceOptions, spec: ResourceOptions): ResourceOptions {
  const actions: Record<string, any> = { ...base.actions };
  for (const [name, action] of Object.entries(spec.actions ?? {})) {
    const baseAfter = toArray(actions[name]?.after);
    actions[name] = { ...actions[name], ...action, after: [...toArray(action?.after), ...baseAfter] };
  }
  return {
    ...base,
    ...spec,
    properties: Object.fromEntries(
      [...new Set([...Object.keys(base.properties ?? {}), ...Object.keys(spec.properties ?? {})])].map((k) => [
        k,
        { ...base.properties?.[k], ...spec.properties?.[k] },
      ]),
    ),
    actions,
  };
}

function toArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * Last line of defence: whatever a handler echoes back (AdminJS merges the request
 * payload into the record it returns), secrets and plain passwords do not leave.
 */
function stripSecrets(modelName: string): AfterHook {
  const clean = (record?: RecordJSON) => {
    if (!record?.params) return;
    for (const key of Object.keys(record.params)) {
      const root = key.split('.')[0]!;
      if (root === 'password' || isSecretField(modelName, root)) delete record.params[key];
    }
  };
  return async (response: ActionResponse) => {
    clean(response.record as RecordJSON | undefined);
    for (const r of (response.records as RecordJSON[] | undefined) ?? []) clean(r);
    return response;
  };
}
