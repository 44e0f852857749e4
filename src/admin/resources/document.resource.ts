import { humanizeEnumValue } from './labels.js';
import { relatedRecords } from './related-records.js';
import type { ResourceFactory } from './resource-spec.js';
import { quantity, screen, when } from './screen-kit.js';

/** Documents in a realm's knowledge bases; the show page lists their ingestion jobs. */
export const documentResource: ResourceFactory = ({ db }) => {
  const related = relatedRecords(db, [
    {
      title: 'Ingestion jobs',
      resource: 'IngestionJob',
      where: (id) => ({ documentId: id }),
      filter: 'document',
      columns: ['Started', 'Status', 'Progress', 'Ended'],
      select: { startedAt: true, status: true, percentage: true, endedAt: true },
      orderBy: { startedAt: 'desc' },
      cells: (j) => [when(j.startedAt), humanizeEnumValue('JobStatus', j.status), `${j.percentage}%`, when(j.endedAt)],
    },
  ]);
  return {
    options: {
      ...screen({
        list: ['name', 'realm', 'knowledgeBase', 'state', 'sizeBytes', 'uploadedAt'],
        filter: ['name', 'organization', 'user', 'realm', 'knowledgeBase', 'state', 'mimeType', 'uploadedAt'],
        show: [
          'name', 'mimeType', 'organization', 'user', 'realm', 'knowledgeBase', 'state', 'version', 'chunks', 'quality', 'sizeBytes',
          'uploadedAt', 'createdAt', 'updatedAt', 'id', 'related',
        ],
        edit: ['name', 'mimeType', 'organization', 'user', 'realm', 'knowledgeBase', 'state', 'version', 'chunks', 'quality', 'sizeBytes'],
        properties: {
          sizeBytes: quantity('0', 'bytes', 'In bytes.'),
          chunks: quantity('0'),
          quality: { description: 'Between 0 and 1.' },
          related: related.property,
        },
      }),
      sort: { sortBy: 'uploadedAt', direction: 'desc' },
      actions: { show: { after: [related.after] } },
    },
  };
};
