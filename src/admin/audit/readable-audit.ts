import type { ActionContext, ActionRequest, ActionResponse, BaseRecord, RecordJSON } from 'adminjs';
import { auditActionWords, canonicalAuditAction } from '../../domain/audit/audit-actions.js';
import { loadDatamodel } from '../../db/dmmf.js';
import { resourceWords, singularLabel } from '../resources/labels.js';
import { titlesOfWanted } from '../resources/record-titles.js';
import type { AfterHook } from '../resources/resource-spec.js';
import { auditDiff, type DiffRow } from './audit-diff.js';

type Wanted = Map<string, Set<string>>;

const want = (wanted: Wanted, resource: string, id: string) => {
  if (!wanted.has(resource)) wanted.set(resource, new Set());
  wanted.get(resource)!.add(id);
};

const NAME_KEYS = ['name', 'email', 'displayName', 'title', 'username'];

/** What an audit row itself says the record was called (a deleted record's name is in its "before"). */
function nameInChanges(changes: unknown): string | null {
  let parsed = changes;
  if (typeof changes === 'string') {
    try {
      parsed = JSON.parse(changes);
    } catch {
      return null;
    }
  }
  const c = (parsed ?? {}) as { before?: Record<string, unknown> | null; after?: Record<string, unknown> | null };
  for (const side of [c.before, c.after]) {
    for (const k of NAME_KEYS) if (side && typeof side[k] === 'string' && side[k]) return String(side[k]);
  }
  return null;
}

/** What an audit row links to by name: its record, and an API key that acted. */
function wantLinks(wanted: Wanted, p: Record<string, unknown>): void {
  if (p.recordId && p.resource) want(wanted, String(p.resource), String(p.recordId));
  if (typeof p.actorLabel === 'string' && p.actorLabel.startsWith('key:')) want(wanted, 'ApiKey', p.actorLabel.slice(4));
}

/**
 * Reads ahead what readableAudit will name on a list page (records, key
 * actors), so that the list handler asks for it beside the page's reference
 * cells, in the same message (titlesOfWanted keeps it for the request).
 */
export async function readAuditLinksAhead(records: BaseRecord[], context: ActionContext): Promise<void> {
  const wanted: Wanted = new Map();
  for (const r of records) wantLinks(wanted, r.params);
  if (wanted.size) await titlesOfWanted(wanted, context);
}

/**
 * The audit log in words, for list and show: the action code read as its
 * canonical code (words via the property's choices), the record named
 * (linked when the viewer may open it), an API key actor named by its key,
 * and on the show page the change as rows of label, before and after.
 */
export function readableAudit(): AfterHook {
  return async (response: ActionResponse, _request: ActionRequest, context: ActionContext) => {
    const records = [...((response.records as RecordJSON[] | undefined) ?? []), ...(response.record ? [response.record as RecordJSON] : [])];
    if (!records.length) return response;
    const wanted: Wanted = new Map();
    const diffs = new Map<RecordJSON, DiffRow[]>();
    const datamodel = loadDatamodel();
    for (const r of records) {
      const p = r.params ?? {};
      if (typeof p.action === 'string') {
        p.action = canonicalAuditAction(p.action, typeof p.resource === 'string' ? p.resource : null);
        r.title = auditActionWords(p.action as string, resourceWords); // the page heading: "Temporary password set", not the code
      }
      wantLinks(wanted, p);
      if (response.record && typeof p.resource === 'string') {
        const rows = auditDiff(datamodel, p.resource, p.changes);
        diffs.set(r, rows);
        for (const row of rows) {
          if (!row.reference) continue;
          for (const v of [row.before, row.after]) if (/^[0-9a-f-]{36}$/i.test(v)) want(wanted, row.reference, v);
        }
      }
    }
    const titles = await titlesOfWanted(wanted, context);
    for (const r of records) {
      const p = r.params;
      if (p.recordId && p.resource) {
        const title = titles.get(`${p.resource}:${p.recordId}`);
        if (title) {
          const href = context.h.recordActionUrl({ resourceId: String(p.resource), recordId: String(p.recordId), actionName: 'show' });
          p.recordIdLink = JSON.stringify({ href, title });
        } else {
          // Gone, or outside the viewer's scope: the name the row recorded, never the bare id.
          const named = nameInChanges(p.changes);
          const what = singularLabel(String(p.resource));
          p.recordIdLink = JSON.stringify({ title: named ?? `${what.charAt(0).toUpperCase()}${what.slice(1)} (not available)` });
        }
      }
      if (typeof p.actorLabel === 'string' && p.actorLabel.startsWith('key:')) {
        const key = titles.get(`ApiKey:${p.actorLabel.slice(4)}`);
        p.actorLabel = key ? `API key ${key}` : 'An API key';
      }
      const rows = diffs.get(r);
      if (rows) {
        for (const row of rows) {
          if (!row.reference) continue;
          row.before = titles.get(`${row.reference}:${row.before}`) ?? row.before;
          row.after = titles.get(`${row.reference}:${row.after}`) ?? row.after;
        }
        p.changesDiff = JSON.stringify(rows.map(({ reference: _r, ...row }) => row));
      }
    }
    return response;
  };
}
