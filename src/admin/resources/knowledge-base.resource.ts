import { humanizeEnumValue } from './labels.js';
import { relatedRecords } from './related-records.js';
import type { ResourceFactory } from './resource-spec.js';
import { bytes, quantity, screen, when } from './screen-kit.js';

/** Knowledge bases ("databases" in a realm): the show page lists their documents. */
export const knowledgeBaseResource: ResourceFactory = ({ db }) => {
  const related = relatedRecords(db, [
    {
      title: 'Documents',
      resource: 'Document',
      where: (id) => ({ knowledgeBaseId: id }),
      filter: 'knowledgeBase',
      columns: ['Name', 'State', 'Size', 'Uploaded'],
      select: { name: true, state: true, sizeBytes: true, uploadedAt: true },
      orderBy: { uploadedAt: 'desc' },
      cells: (d) => [d.name, humanizeEnumValue('DocumentState', d.state), bytes(d.sizeBytes), when(d.uploadedAt)],
      muted: (d) => d.state === 'DEPRECATED',
    },
  ]);
  return {
    options: {
      ...screen({
        list: ['name', 'realm', 'organization', 'server', 'documentCount', 'lastUpdatedAt'],
        filter: ['name', 'organization', 'user', 'realm', 'server', 'lastUpdatedAt'],
        show: ['name', 'description', 'organization', 'user', 'realm', 'server', 'documentCount', 'lastUpdatedAt', 'createdAt', 'updatedAt', 'id', 'related'],
        edit: ['name', 'description', 'organization', 'user', 'realm', 'server'],
        properties: {
          description: { type: 'textarea' },
          documentCount: { ...quantity('0'), isVisible: { list: true, filter: false, show: true, edit: false } },
          related: related.property,
        },
      }),
      sort: { sortBy: 'name', direction: 'asc' },
      actions: { show: { after: [related.after] } },
    },
  };
};
