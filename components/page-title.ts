/**
 * The words a page is called by: the heading and the document title of every
 * panel page say what it shows ("Organizations", "Acme Marketing", "Edit Acme
 * Marketing", "New organization"), never the action's name alone.
 */
export const APP_NAME = 'Realmgate';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

export interface TitleInput {
  actionName: string;
  actionType: 'resource' | 'record' | 'bulk' | string;
  /** The action's label in words ("Temporary password"). */
  actionLabel: string;
  /** The resource in words, plural ("Organizations"). */
  resourceLabel: string;
  /** "organization": for "New organization" and for records without a title of their own. */
  singular: string;
  /** The record's title (AdminJS's titleProperty), when the page is about one record. */
  recordTitle?: string | null;
}

const capitalized = (s: string) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);

/** A record's title as people read it: dates as the lists show them, a bare id as the kind of record. */
export function readableRecordTitle(title: string | null | undefined, singular: string): string {
  const text = title == null ? '' : String(title).trim();
  if (!text || UUID.test(text)) return capitalized(singular);
  if (ISO_DATE.test(text)) {
    const d = new Date(text);
    if (!Number.isNaN(d.getTime())) return `${capitalized(singular)} of ${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }
  return text;
}

/** The heading of an action's page. */
export function pageTitle(t: TitleInput): string {
  if (t.actionName === 'list') return t.resourceLabel;
  if (t.actionName === 'new') return `New ${t.singular}`;
  if (t.actionType !== 'record') return t.actionLabel;
  const record = readableRecordTitle(t.recordTitle, t.singular);
  if (t.actionName === 'show') return record;
  if (t.actionName === 'edit') return `Edit ${record}`;
  if (t.actionName === 'delete') return `Delete ${record}`;
  return `${t.actionLabel}: ${record}`;
}

/** The document title for a page heading. */
export const documentTitle = (heading: string): string => (heading ? `${heading} · ${APP_NAME}` : APP_NAME);
