import { DocumentState, JobStatus } from '@prisma/client';
import { documentCreateSchema, documentUpdateSchema } from '../../domain/knowledge/document-schema.js';
import { chargeDocumentQuotas, releaseDocumentQuotas } from '../../domain/knowledge/document-quotas.js';
import { ingestionJobCreateSchema, ingestionJobUpdateSchema } from '../../domain/knowledge/ingestion-job-schema.js';
import { knowledgeBaseCreateSchema, knowledgeBaseUpdateSchema } from '../../domain/knowledge/knowledge-base-schema.js';
import { vectorServerCreateSchema, vectorServerUpdateSchema } from '../../domain/knowledge/vector-server-schema.js';
import type { Api } from '../api-router.js';
import { uuid } from '../schemas/common.js';
import { z } from '../zod.js';
import { recordRoutes } from './record-routes.js';

const REALM = '0b7d1c52-8c1d-4a3e-9f55-2f1d7c3e9a10';
const KB = '5a0e2f0c-6f0b-4b8e-8d62-0c7f3f9a1b22';
const DOC = '9c6e1a44-2b7f-4d0e-a1c3-5e8f7d6b4a31';

const realmFilter = { schema: uuid, where: (realmId: string) => ({ realmId }), description: 'Only rows of this realm.' };
const kbFilter = { schema: uuid, where: (knowledgeBaseId: string) => ({ knowledgeBaseId }), description: 'Only rows of this knowledge base.' };

// Write-only credentials: accepted on create and update, stored encrypted, never returned (hasPassword / hasApiKey instead).
const credentials = {
  password: z.string().min(1).max(4096).nullable().optional().openapi({ description: 'Write-only; null removes it.' }),
  apiKey: z.string().min(1).max(4096).nullable().optional().openapi({ description: 'Write-only; null removes it.' }),
};

/** Realm-scoped data (seeds 003, 004): vector servers, knowledge bases, documents, ingestion jobs. */
export function realmDataRoutes(api: Api): void {
  recordRoutes(api, {
    resource: 'VectorServer',
    path: '/vector-servers',
    names: ['VectorServer', 'VectorServers'],
    tag: 'Realm data',
    readScope: 'realms:read',
    writeScope: 'realms:write',
    filters: { realmId: realmFilter },
    create: {
      schema: vectorServerCreateSchema.extend(credentials),
      example: { realmId: REALM, name: 'qdrant-eu', type: 'QDRANT', host: 'qdrant.internal', port: 6333, collection: 'docs', apiKey: 'qdrant-secret' },
    },
    update: { schema: vectorServerUpdateSchema.extend(credentials), example: { port: 6334, apiKey: null } },
    remove: true,
  });

  recordRoutes(api, {
    resource: 'KnowledgeBase',
    path: '/knowledge-bases',
    names: ['KnowledgeBase', 'KnowledgeBases'],
    tag: 'Realm data',
    readScope: 'realms:read',
    writeScope: 'realms:write',
    filters: { realmId: realmFilter },
    create: { schema: knowledgeBaseCreateSchema, example: { realmId: REALM, name: 'Handbook', description: 'HR handbook' } },
    update: { schema: knowledgeBaseUpdateSchema, example: { description: 'HR handbook 2026' } },
    remove: true,
  });

  recordRoutes(api, {
    resource: 'Document',
    path: '/documents',
    names: ['Document', 'Documents'],
    tag: 'Realm data',
    readScope: 'realms:read',
    writeScope: 'realms:write',
    filters: {
      realmId: realmFilter,
      knowledgeBaseId: kbFilter,
      state: { schema: z.nativeEnum(DocumentState), where: (state: DocumentState) => ({ state }), description: 'Only documents in this state.' },
    },
    create: { schema: documentCreateSchema, example: { realmId: REALM, knowledgeBaseId: KB, name: 'leave-policy.pdf', mimeType: 'application/pdf', sizeBytes: 48213 } },
    update: { schema: documentUpdateSchema, example: { state: 'INGESTED', chunks: 42 } },
    remove: true,
    // Counted against the organization's documents and storage quotas: 429 QUOTA_EXCEEDED when over.
    beforeWrite: chargeDocumentQuotas,
    afterDelete: releaseDocumentQuotas,
    createErrors: ['QUOTA_EXCEEDED'],
  });

  recordRoutes(api, {
    resource: 'IngestionJob',
    path: '/ingestion-jobs',
    names: ['IngestionJob', 'IngestionJobs'],
    tag: 'Realm data',
    readScope: 'realms:read',
    writeScope: 'realms:write',
    filters: {
      realmId: realmFilter,
      documentId: { schema: uuid, where: (documentId: string) => ({ documentId }), description: 'Only jobs of this document.' },
      status: { schema: z.nativeEnum(JobStatus), where: (status: JobStatus) => ({ status }), description: 'Only jobs in this status.' },
    },
    create: { schema: ingestionJobCreateSchema, example: { realmId: REALM, documentId: DOC, documentName: 'leave-policy.pdf', documentType: 'application/pdf' } },
    update: { schema: ingestionJobUpdateSchema, example: { status: 'FINISHED', percentage: 100 } },
    remove: true,
  });
}
