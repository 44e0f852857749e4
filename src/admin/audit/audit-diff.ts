import type { Datamodel } from '../../db/dmmf.js';
import { isSecretField } from '../../domain/access/permissions.js';
import { humanizeEnumValue, humanizeProperty, RESOURCE_PROPERTY_LABELS } from '../resources/labels.js';
import { readableValue } from '../resources/record-titles.js';

/** One changed field of an audit row, as the show page lays it out. */
export interface DiffRow {
  field: string;
  label: string;
  before: string;
  after: string;
  /** A secret: only "(changed)" is shown, never a value. */
  secret?: boolean;
  /** Where a value is another record: its resource and id, resolved into a name by the caller. */
  reference?: string;
}

// Keys audit rows carry that are not columns of the audited resource (or would read alike).
const AUDIT_FIELD_LABELS: Record<string, string> = {
  rowsDone: 'Rows moved (whole run)',
  rowsMoved: 'Rows moved in this pass',
  rowsTotal: 'Rows to move',
  renamedKnowledgeBases: 'Knowledge bases renamed',
  sessionsEnded: 'Sessions ended',
  sessions: 'Active sessions',
  familyId: 'Token family',
  payload: 'Form values',
  bulk: 'Several at once',
  rotatedFromId: 'Rotated from key',
  previousDefaultId: 'Previous default realm',
};

const SECRET_KEY = /password|secret|hash|encrypted|pepper|^sess$|^token$|[a-z]Token$/i;
const REDACTED = /^\[redacted/;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** { before, after } as stored (the changed fields only), in words: one row per field, label, old value, new value. */
export function auditDiff(datamodel: Datamodel, resource: string, changes: unknown): DiffRow[] {
  let parsed = changes;
  if (typeof changes === 'string') {
    try {
      parsed = JSON.parse(changes);
    } catch {
      return [];
    }
  }
  if (!isObject(parsed)) return [];
  const before = isObject(parsed.before) ? parsed.before : {};
  const after = isObject(parsed.after) ? parsed.after : {};
  const model = datamodel.models.find((m) => m.name === resource);
  const rows: DiffRow[] = [];
  const seen = new Map<string, number>();
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
    const field = model?.fields.find((f) => f.name === key);
    const relation = model?.fields.find((f) => f.kind === 'object' && f.relationFromFields?.length === 1 && f.relationFromFields[0] === key);
    const labelKey = relation?.name ?? key;
    let label = RESOURCE_PROPERTY_LABELS[resource]?.[labelKey] ?? AUDIT_FIELD_LABELS[key] ?? humanizeProperty(labelKey);
    // Two keys that read alike would make one row look repeated: say which is which.
    const n = (seen.get(label.toLowerCase()) ?? 0) + 1;
    seen.set(label.toLowerCase(), n);
    if (n > 1) label = `${label} (${humanizeProperty(key).toLowerCase()})`;
    const values = [before[key], after[key]];
    const secret = ((isSecretField(resource, key) || SECRET_KEY.test(key)) && !values.some((v) => typeof v === 'boolean')) || values.some((v) => typeof v === 'string' && REDACTED.test(v));
    if (secret) {
      rows.push({ field: key, label, before: '', after: '(changed)', secret: true });
      continue;
    }
    const show = (v: unknown, present: boolean): string => {
      if (!present || v === null || v === undefined || v === '') return '—';
      if (typeof v === 'boolean') return v ? 'Yes' : 'No';
      if (Array.isArray(v)) {
        if (!v.length) return key === 'allowedModelIds' ? 'All models the organization may use' : 'None';
        return v.map((x) => (field?.kind === 'enum' ? humanizeEnumValue(field.type, String(x)) : String(x))).join(', ');
      }
      if (isObject(v)) return JSON.stringify(v);
      if (field?.kind === 'enum') return humanizeEnumValue(field.type, String(v));
      if (typeof v === 'number') return v.toLocaleString('en-US');
      if (typeof v === 'string' && /^-?\d{4,}$/.test(v) && (field?.type === 'BigInt' || field?.type === 'Int')) return BigInt(v).toLocaleString('en-US');
      return readableValue(v) ?? '—';
    };
    rows.push({
      field: key,
      label,
      before: show(before[key], key in before),
      after: show(after[key], key in after),
      ...(relation ? { reference: relation.type } : {}),
    });
  }
  return rows;
}
