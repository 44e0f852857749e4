import { linkRecords } from './record-links.js';
import type { ResourceFactory } from './resource-spec.js';
import { recordLink, screen } from './screen-kit.js';

const KIND_RESOURCE: Record<string, string> = {
  API_KEY: 'ApiKey',
  VECTOR_SERVER: 'VectorServer',
  KNOWLEDGE_BASE: 'KnowledgeBase',
  DOCUMENT: 'Document',
  INGESTION_JOB: 'IngestionJob',
  CHAT_SESSION: 'ChatSession',
};

/** Rows a realm migration moved (journal): the moved row and its realm as links by name. */
export const realmMigrationItemResource: ResourceFactory = () => {
  const links = linkRecords({
    rowId: (p) => (p.rowId && KIND_RESOURCE[p.kind] ? { resource: KIND_RESOURCE[p.kind]!, id: String(p.rowId) } : null),
    realmId: (p) => (p.realmId ? { resource: 'Realm', id: String(p.realmId) } : null),
  });
  return {
    options: {
      ...screen({
        list: ['movedAt', 'run', 'kind', 'rowId', 'realmId'],
        filter: ['run', 'kind', 'movedAt'],
        show: ['movedAt', 'run', 'kind', 'rowId', 'realmId', 'id'],
        properties: { rowId: recordLink(), realmId: recordLink() },
        titleProperty: 'kind',
      }),
      sort: { sortBy: 'movedAt', direction: 'desc' },
      actions: { list: { after: [links] }, show: { after: [links] } },
    },
  };
};
