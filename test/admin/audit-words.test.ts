import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTION_ALIASES, AUDIT_ACTION_WORDS, auditActionsReadAs, auditCode, canonicalAuditAction } from '../../src/domain/audit/audit-actions.js';
import { AUDIT_ACTION_CHOICES, RESOURCE_LABELS } from '../../src/admin/resources/labels.js';
import { auditDiff } from '../../src/admin/audit/audit-diff.js';
import { loadDatamodel } from '../../src/db/dmmf.js';
import { redact } from '../../src/domain/audit/record-audit.js';

/**
 * Issue #10, "an audit log people can read": every action code any code path
 * writes has words, no two choices of the filter read alike, and the change
 * reads as rows of label, before and after.
 */
const SRC = path.resolve(import.meta.dirname, '../../src');

/** Action codes passed to recordAudit (or written to audit_logs directly) anywhere under src/. */
function writtenCodes(): Set<string> {
  const codes = new Set<string>();
  for (const f of fs.readdirSync(SRC, { recursive: true }) as string[]) {
    if (!f.endsWith('.ts') || f.includes('scaffold')) continue;
    const text = fs.readFileSync(path.join(SRC, f), 'utf8');
    if (!/recordAudit\(|auditLog\.create\(/.test(text)) continue;
    // `action: 'a.b'` and `action: cond ? 'a.b' : 'c.d'`
    for (const m of text.matchAll(/\baction: ([^,}\n]+)/g)) for (const q of m[1]!.matchAll(/'([a-z0-9-]+(?:\.[a-z0-9-]+)?)'/g)) codes.add(q[1]!);
  }
  // record-sign-in.ts writes `user.${event.kind}`.
  for (const kind of ['sign-in', 'sign-out']) codes.add(`user.${kind}`);
  return codes;
}

describe('audit actions in words', () => {
  it('every code a code path writes has words of its own (not its code read aloud)', () => {
    const codes = writtenCodes();
    expect(codes.size).toBeGreaterThan(25);
    const missing = [...codes].filter((c) => !c.includes('.') || !AUDIT_ACTION_WORDS[canonicalAuditAction(c)]);
    expect(missing).toEqual([]);
  });

  it('create, change and delete of every resource read as words, and bare verbs of older rows take their resource', () => {
    const byValue = new Map(AUDIT_ACTION_CHOICES.map((c) => [c.value, c.label]));
    for (const resource of Object.keys(RESOURCE_LABELS)) {
      for (const verb of ['create', 'update', 'delete', 'bulk-delete']) {
        const label = byValue.get(auditCode(resource, verb));
        expect(label, `${resource} ${verb}`).toBeTruthy();
        expect(label).not.toMatch(/\.|[a-z]-[a-z]+-/);
      }
    }
    expect(canonicalAuditAction('update', 'Organization')).toBe('organization.update');
    expect(byValue.get('organization.update')).toBe('Organization changed');
    expect(byValue.get('realm-migration.complete')).toBe('Realm migration completed');
    expect(byValue.get('user.temporary-password')).toBe('Temporary password set');
  });

  it('no label twice in the filter, in any capitalisation; old codes read as (and are found with) the code they became', () => {
    const labels = AUDIT_ACTION_CHOICES.map((c) => c.label.toLowerCase());
    expect(labels.filter((l, i) => labels.indexOf(l) !== i)).toEqual([]);
    for (const [alias, code] of Object.entries(AUDIT_ACTION_ALIASES)) {
      expect(AUDIT_ACTION_CHOICES.some((c) => c.value === alias)).toBe(false);
      expect(canonicalAuditAction(alias)).toBe(code);
      expect(auditActionsReadAs(code)).toContain(alias);
    }
  });
});

describe('the change as a readable diff', () => {
  const datamodel = loadDatamodel();

  it('one row per changed field: label in words, old and new value readable, secrets only "(changed)"', () => {
    const rows = auditDiff(datamodel, 'User', {
      before: { passwordHash: '[redacted]', mustChangePassword: false, status: 'ACTIVE', lockedUntil: null, organizationId: 'x' },
      after: { passwordHash: '[redacted, changed]', mustChangePassword: true, status: 'LOCKED', lockedUntil: '2026-11-30T10:05:00.000Z', organizationId: 'y' },
    });
    expect(rows.map((r) => [r.label, r.before, r.after])).toEqual([
      ['Password hash', '', '(changed)'],
      ['Must change password', 'No', 'Yes'],
      ['Status', 'Active', 'Locked'],
      ['Locked until', '—', '2026-11-30 10:05'],
      ['Organization', 'x', 'y'],
    ]);
    expect(rows[4]!.reference).toBe('Organization');
  });

  it('keys of a run that would read alike get labels that differ', () => {
    const rows = auditDiff(datamodel, 'RealmMigrationRun', { before: null, after: { rowsDone: 10, rowsTotal: 10, realmsCreated: 2, rowsMoved: 4 } });
    const labels = rows.map((r) => r.label.toLowerCase());
    expect(new Set(labels).size).toBe(labels.length);
    expect(rows.find((r) => r.field === 'rowsMoved')!.after).toBe('4');
  });

  it('a flag named after a password is stored readable; the password itself is not', () => {
    expect(redact({ mustChangePassword: true, password: 'x', passwordHash: 'y' })).toEqual({ mustChangePassword: true, password: '[redacted]', passwordHash: '[redacted]' });
  });

  it('an empty "Allowed models" reads as what it means', () => {
    const [row] = auditDiff(datamodel, 'ApiKey', { before: { allowedModelIds: ['a'] }, after: { allowedModelIds: [] } });
    expect(row!.after).toBe('All models the organization may use');
  });
});
