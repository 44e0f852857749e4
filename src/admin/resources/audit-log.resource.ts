import { ACTOR_ROLE_LABELS, AUDIT_ACTION_CHOICES, RESOURCE_LABELS } from './labels.js';
import { ledgerResource } from './ledger.resource.js';
import { readableAudit } from '../audit/readable-audit.js';
import { Components } from '../components.js';
import { READ_ONLY_ACTIONS, type ResourceFactory } from './resource-spec.js';
import { recordLink, screen } from './screen-kit.js';

/**
 * The audit log (append-only): who did what to which record. The record id
 * becomes a link titled like the record (when the viewer may see it); the
 * changes read as a before/after table.
 */
export const auditLogResource: ResourceFactory = (deps) => {
  const ledger = ledgerResource(deps).options!;
  // Names records, key actors and the change in words (src/admin/audit/readable-audit.ts).
  const links = readableAudit();
  return {
    options: {
      ...ledger,
      ...screen({
        list: ['occurredAt', 'actorLabel', 'action', 'resource', 'recordId', 'organizationId'],
        // Each filter is served by an index (0012_scale); the list pages by keyset (src/admin/ledger).
        filter: ['occurredAt', 'actorId', 'action', 'resource', 'recordId', 'organizationId'],
        show: ['occurredAt', 'actorLabel', 'actorId', 'actorRole', 'organizationId', 'action', 'resource', 'recordId', 'changes', 'ip', 'userAgent', 'id'],
        properties: {
          // Free text in the table; choices make the filter a select and the words readable.
          resource: { availableValues: Object.keys(RESOURCE_LABELS).map((r) => ({ value: r, label: r })) },
          action: { availableValues: AUDIT_ACTION_CHOICES },
          actorRole: { availableValues: Object.keys(ACTOR_ROLE_LABELS).map((r) => ({ value: r, label: r })) },
          recordId: recordLink({ list: true, filter: true, show: true, edit: false }),
          changes: { components: { show: Components.AuditChanges } },
          // No foreign key (the entry outlives the organization), still a link while it exists.
          organizationId: { reference: 'Organization', type: 'reference' },
          actorId: { reference: 'User', type: 'reference' },
          actorLabel: { description: 'Email of the person, or the system task, at the time.' },
        },
        titleProperty: 'action',
      }),
      actions: { ...READ_ONLY_ACTIONS, list: { after: [links] }, show: { after: [links] } },
    },
  };
};
