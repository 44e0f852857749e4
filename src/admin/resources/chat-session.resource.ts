import { humanizeEnumValue } from './labels.js';
import { relatedRecords } from './related-records.js';
import type { ResourceFactory } from './resource-spec.js';
import { screen, when } from './screen-kit.js';

const PREVIEW = 120;

/** Chat sessions; the show page lists the latest messages. */
export const chatSessionResource: ResourceFactory = ({ db }) => {
  const related = relatedRecords(db, [
    {
      title: 'Latest messages',
      resource: 'ChatMessage',
      where: (id) => ({ sessionId: id }),
      filter: 'session',
      columns: ['Message', 'From', 'Tokens', 'Sent'],
      select: { content: true, role: true, tokens: true, createdAt: true },
      orderBy: { createdAt: 'desc' },
      cells: (m) => [
        m.content.length > PREVIEW ? `${m.content.slice(0, PREVIEW)}…` : m.content,
        humanizeEnumValue('ChatRole', m.role),
        m.tokens == null ? '—' : String(m.tokens),
        when(m.createdAt),
      ],
    },
  ]);
  return {
    options: {
      ...screen({
        list: ['title', 'user', 'agent', 'realm', 'lastMessageAt'],
        filter: ['title', 'organization', 'user', 'realm', 'agent', 'lastMessageAt'],
        show: ['title', 'organization', 'user', 'realm', 'agent', 'lastMessageAt', 'createdAt', 'updatedAt', 'id', 'related'],
        edit: ['title', 'organization', 'user', 'realm', 'agent'],
        properties: { related: related.property },
      }),
      sort: { sortBy: 'lastMessageAt', direction: 'desc' },
      actions: { show: { after: [related.after] } },
    },
  };
};
