import { humanizeEnumValue } from './labels.js';
import { relatedRecords } from './related-records.js';
import type { ResourceFactory } from './resource-spec.js';
import { bytes, screen, when } from './screen-kit.js';

/** Realms: the show page lists the realm's API keys, documents and knowledge bases. */
export const realmResource: ResourceFactory = ({ db }) => {
  const related = relatedRecords(db, [
    {
      title: 'API keys',
      resource: 'ApiKey',
      where: (id) => ({ realmId: id }),
      filter: 'realm',
      columns: ['Name', 'Prefix', 'Owner', 'Type', 'Last used', 'Revoked'],
      select: { name: true, prefix: true, type: true, lastUsedAt: true, revokedAt: true, user: { select: { email: true } } },
      orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'desc' }],
      cells: (k) => [k.name, k.prefix, k.user?.email ?? '', humanizeEnumValue('ApiKeyType', k.type), when(k.lastUsedAt), k.revokedAt ? when(k.revokedAt) : '—'],
      muted: (k) => !!k.revokedAt,
    },
    {
      title: 'Documents',
      resource: 'Document',
      where: (id) => ({ realmId: id }),
      filter: 'realm',
      columns: ['Name', 'Knowledge base', 'State', 'Size', 'Uploaded'],
      select: { name: true, state: true, sizeBytes: true, uploadedAt: true, knowledgeBase: { select: { name: true } } },
      orderBy: { uploadedAt: 'desc' },
      cells: (d) => [d.name, d.knowledgeBase?.name ?? '', humanizeEnumValue('DocumentState', d.state), bytes(d.sizeBytes), when(d.uploadedAt)],
      muted: (d) => d.state === 'DEPRECATED',
    },
    {
      title: 'Knowledge bases',
      resource: 'KnowledgeBase',
      where: (id) => ({ realmId: id }),
      filter: 'realm',
      columns: ['Name', 'Documents', 'Last updated'],
      select: { name: true, documentCount: true, lastUpdatedAt: true },
      orderBy: { name: 'asc' },
      cells: (k) => [k.name, String(k.documentCount), when(k.lastUpdatedAt)],
    },
  ]);

  return {
    options: {
      ...screen({
        list: ['name', 'organization', 'owner', 'isDefault', 'isActive'],
        filter: ['name', 'organization', 'owner', 'isDefault', 'isActive', 'createdAt'],
        show: ['name', 'description', 'organization', 'owner', 'isDefault', 'isActive', 'createdByRun', 'createdAt', 'updatedAt', 'id', 'related'],
        edit: ['name', 'description', 'organization', 'owner', 'isDefault', 'isActive'],
        properties: {
          description: { type: 'textarea' },
          isActive: { description: 'Unticked = deleted (kept for its history).' },
          related: related.property,
        },
      }),
      sort: { sortBy: 'name', direction: 'asc' },
      actions: { show: { after: [related.after] } },
    },
  };
};
