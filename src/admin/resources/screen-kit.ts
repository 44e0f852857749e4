import type { PropertyOptions, ResourceOptions } from 'adminjs';
import type { PrismaClient } from '@prisma/client';
import { Components } from '../components.js';

/** Which pages show a property; listProperties & co. decide the order. */
export const SHOW_ONLY = { list: false, filter: false, show: true, edit: false };
export const LIST_AND_SHOW = { list: true, filter: false, show: true, edit: false };
export const EDIT_ONLY = { list: false, filter: false, show: false, edit: true };

export interface Screen {
  /** Columns of the list, at a glance. */
  list: string[];
  filter: string[];
  /** Order of the show page; `id` goes last, never in a list. */
  show: string[];
  /** Order of the new/edit form. Shown-but-not-listed properties become read-only on the server too. */
  edit?: string[];
  properties?: Record<string, PropertyOptions>;
  titleProperty?: string;
}

/**
 * ResourceOptions for one screen. A property the show page has but the form
 * does not is marked not editable, so the server refuses it as well
 * (prisma-resource.ts writes only what the edit form shows).
 */
export function screen(s: Screen): ResourceOptions {
  const properties: Record<string, PropertyOptions> = { ...s.properties };
  if (s.edit) {
    const editable = new Set(s.edit);
    for (const name of new Set([...s.list, ...s.filter, ...s.show])) {
      if (editable.has(name) || name === 'id' || properties[name]?.isVisible !== undefined) continue;
      properties[name] = { ...properties[name], isVisible: { list: true, filter: true, show: true, edit: false } };
    }
  }
  return {
    listProperties: s.list,
    filterProperties: s.filter,
    showProperties: s.show,
    ...(s.edit ? { editProperties: s.edit } : {}),
    ...(s.titleProperty ? { titleProperty: s.titleProperty } : {}),
    properties,
  };
}

/** A number with thousands separators (or bytes as KB/MB/GB); `empty` is the word for no value, e.g. "Unlimited". */
export function quantity(empty?: string, unit?: 'bytes', description?: string): PropertyOptions {
  return {
    type: 'number',
    components: { list: Components.Quantity, show: Components.Quantity },
    custom: { empty, unit },
    ...(description ? { description } : {}),
  };
}

/** An array as chips; `empty` is the word for none, e.g. "All types". With `choose`, one multi-select on the form. */
export function chips(empty?: string, choose = false): PropertyOptions {
  return {
    components: { list: Components.ValueList, show: Components.ValueList, ...(choose ? { edit: Components.MultiSelect } : {}) },
    custom: { empty },
    // Prisma calls a list with a default "required"; an empty list is a fine value.
    isRequired: false,
  };
}

/** Stored JSON made readable on the show page (task lists as lists, the rest indented). */
export function readableJson(): PropertyOptions {
  return { components: { show: Components.JsonValue } };
}

/** The list column that leads with the record's icon (a feather icon name from the AdminJS icon set). */
export function iconName(iconFrom = 'icon', fallback = 'Box'): PropertyOptions {
  return { components: { list: Components.IconName }, custom: { iconFrom, fallback } };
}

/** Resolved by `linkRecords` (record-links.ts) into a link to the record by its title. */
export function recordLink(isVisible: PropertyOptions['isVisible'] = LIST_AND_SHOW): PropertyOptions {
  return { components: { list: Components.RecordLink, show: Components.RecordLink }, isVisible };
}

/** A virtual, read-only text column computed by an after-hook. */
export function computed(isVisible: PropertyOptions['isVisible'] = LIST_AND_SHOW): PropertyOptions {
  return { type: 'string', isVisible, isSortable: false };
}

export type Where = Record<string, unknown>;

export const and = (scope: Where, where: Where): Where => (Object.keys(scope).length ? { AND: [scope, where] } : where);

interface Delegate {
  findMany(args: unknown): Promise<Record<string, any>[]>;
  count(args: unknown): Promise<number>;
}

/** The Prisma delegate of a model by its name ("ApiKey" -> db.apiKey). */
export function delegateOf(db: PrismaClient, model: string): Delegate {
  return (db as unknown as Record<string, Delegate>)[model.charAt(0).toLowerCase() + model.slice(1)]!;
}

/** Short readable date-time in UTC for server-composed tables. */
export function when(d: Date | null | undefined): string {
  return d ? d.toISOString().slice(0, 16).replace('T', ' ') : '—';
}

export const grouped = (n: number | bigint | null | undefined, empty = '—'): string => (n == null ? empty : BigInt(n).toLocaleString('en-US'));

/** 1536 -> "1.5 KB". */
export function bytes(n: bigint | number | null | undefined): string {
  if (n == null) return '—';
  let v = Number(n);
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i ? v.toFixed(v < 10 ? 1 : 0) : v} ${units[i]}`;
}
