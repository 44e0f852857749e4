import type { LocaleTranslations } from 'adminjs';
import type { Datamodel } from '../../db/dmmf.js';
import { ACTOR_ROLE_LABELS, AUDIT_ACTION_CHOICES, humanizeEnumValue, humanizeProperty, PROPERTY_LABELS, RESOURCE_LABELS, RESOURCE_PROPERTY_LABELS, singularLabel } from './labels.js';

type Strings = Record<string, string>;

type ResourceTranslations = { labels: Record<string, string | Strings>; properties: Strings };

/**
 * AdminJS locale entries (`locale.translations.en`) for every model: resource
 * names, property labels and enum values. AdminJS looks enum values up as
 * `resources.<Model>.labels.<property>.<VALUE>` in lists, show pages, filters
 * and selects alike, so the stored value stays the enum and only the words change.
 */
export function buildTranslations(datamodel: Datamodel): LocaleTranslations {
  const properties: Strings = { ...PROPERTY_LABELS };
  const resources: Record<string, ResourceTranslations> = {};
  const labels: Strings = { 'Usage and quotas': 'Usage and quotas', navigation: 'Navigation' };
  for (const model of datamodel.models) {
    // `singular` names one record in page titles ("New organization", components/page-title.ts).
    const own: ResourceTranslations = { labels: { [model.name]: RESOURCE_LABELS[model.name] ?? humanizeProperty(model.name), singular: singularLabel(model.name) }, properties: {} };
    labels[model.name] = RESOURCE_LABELS[model.name] ?? humanizeProperty(model.name);
    for (const field of model.fields) {
      properties[field.name] ??= humanizeProperty(field.name);
      if (field.kind !== 'enum') continue;
      const e = datamodel.enums.find((x) => x.name === field.type);
      if (!e) continue;
      own.labels[field.name] = Object.fromEntries(e.values.map((v) => [v.name, humanizeEnumValue(e.name, v.name)]));
    }
    Object.assign(own.properties, RESOURCE_PROPERTY_LABELS[model.name] ?? {});
    resources[model.name] = own;
  }
  // The audit log names resources and roles in free-text columns (see audit-log.resource.ts).
  const audit = resources.AuditLog;
  if (audit) {
    audit.labels.resource = Object.fromEntries(datamodel.models.map((m) => [m.name, humanizeProperty(m.name)]));
    audit.labels.actorRole = { ...ACTOR_ROLE_LABELS };
    // Action words as written (AdminJS would otherwise start-case them: "Signed In").
    audit.labels.action = Object.fromEntries(AUDIT_ACTION_CHOICES.map((c) => [c.label, c.label]));
  }
  return { labels, properties, resources };
}

/** The words for one enum value, for text the server composes (related-record tables). */
export function enumLabel(datamodel: Datamodel, modelName: string, fieldName: string, value: unknown): string {
  if (value == null) return '';
  const field = datamodel.models.find((m) => m.name === modelName)?.fields.find((f) => f.name === fieldName);
  return field?.kind === 'enum' ? humanizeEnumValue(field.type, String(value)) : String(value);
}
