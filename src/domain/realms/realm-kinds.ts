import type { RealmScopedKind } from '@prisma/client';

/** One realm-scoped table: its journal kind, SQL table and the name people read. */
export interface RealmKind {
  kind: RealmScopedKind;
  table: string;
  label: string;
}

/**
 * Every table whose rows live in a realm (realm_id nullable until the realm
 * migration has run). Table names are constants: they are interpolated into SQL.
 */
export const REALM_KINDS: readonly RealmKind[] = [
  { kind: 'API_KEY', table: 'api_keys', label: 'API keys' },
  { kind: 'VECTOR_SERVER', table: 'vector_servers', label: 'vector servers' },
  { kind: 'KNOWLEDGE_BASE', table: 'knowledge_bases', label: 'knowledge bases' },
  { kind: 'DOCUMENT', table: 'documents', label: 'documents' },
  { kind: 'INGESTION_JOB', table: 'ingestion_jobs', label: 'ingestion jobs' },
  { kind: 'CHAT_SESSION', table: 'chat_sessions', label: 'chat sessions' },
];

export type KindCounts = Record<RealmScopedKind, number>;

export const zeroCounts = (): KindCounts => ({ API_KEY: 0, VECTOR_SERVER: 0, KNOWLEDGE_BASE: 0, DOCUMENT: 0, INGESTION_JOB: 0, CHAT_SESSION: 0 });

export const sumCounts = (c: KindCounts): number => Object.values(c).reduce((a, b) => a + b, 0);
