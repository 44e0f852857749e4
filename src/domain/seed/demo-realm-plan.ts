import type { ApiKeyType, ChatRole, DocumentState, VectorServerType } from '@prisma/client';

/**
 * What lives in which realm, as plain data. `realm: null` marks legacy rows from
 * before realms existed: the realm migration is expected to move them into their
 * owner's default realm, so each one has an owner. A knowledge base's server
 * must sit in the same workspace: realms share nothing.
 */
export interface PlannedServer { name: string; type: VectorServerType; host: string; port: number; database?: string; collection?: string; isActive: boolean }
export interface PlannedDoc { name: string; mimeType: string; state: DocumentState; sizeKb: number; daysAgo: number }
export interface PlannedKb { name: string; description: string; server?: string; docs: PlannedDoc[] }
export interface PlannedChat { title: string; agent: string | null; daysAgo: number; messages: [ChatRole, string][] }
export interface PlannedKey { name: string; type: ApiKeyType; scopes: string[]; rateLimitPerMinute: number | null; maxTokens: number | null; revoked?: boolean; expiresInDays?: number; restrictToModels?: string[] }

export interface Workspace {
  user: string;
  /** realm name, or null for legacy rows */
  realm: string | null;
  servers?: PlannedServer[];
  kbs?: PlannedKb[];
  /** documents outside any knowledge base */
  looseDocs?: PlannedDoc[];
  chats?: PlannedChat[];
  keys?: PlannedKey[];
}

/** Second realms (every demo user also gets "Default"). isActive false = soft-deleted. */
export const EXTRA_REALMS: { user: string; name: string; description: string; isActive: boolean }[] = [
  { user: 'alice.admin', name: 'Client Campaigns', description: 'Briefs and copy for client campaigns.', isActive: true },
  { user: 'dan.admin', name: 'Litigation', description: 'Matters in litigation: kept apart from advisory work.', isActive: true },
  { user: 'erin.user', name: 'Immigration Cases', description: 'Visa and settlement applications.', isActive: true },
  { user: 'hana.admin', name: 'Patient Leaflets', description: 'Approved patient education material.', isActive: true },
  { user: 'kim.user', name: 'Old Listings', description: 'Archived listings from the 2023 branch.', isActive: false },
];

const pdf = 'application/pdf';
const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const md = 'text/markdown';
const hello: [ChatRole, string][] = [
  ['SYSTEM', 'You are Sanctum, a helpful assistant.'],
  ['USER', 'What can you help me with today?'],
  ['ASSISTANT', 'I can answer questions, draft and summarise documents, and search your knowledge bases.'],
];

const stdKey = (name: string, extra: Partial<PlannedKey> = {}): PlannedKey => ({ name, type: 'USER', scopes: ['models:read', 'usage:write'], rateLimitPerMinute: 60, maxTokens: 4096, ...extra });

export const WORKSPACES: Workspace[] = [
  // Acme Marketing
  {
    user: 'alice.admin', realm: 'Default',
    servers: [{ name: 'Acme Qdrant', type: 'QDRANT', host: 'qdrant.acme.example', port: 6333, collection: 'acme-docs', isActive: true }],
    kbs: [{ name: 'Brand Guidelines', description: 'Tone of voice, logos and style rules.', server: 'Acme Qdrant', docs: [
      { name: 'Acme brand book 2024.pdf', mimeType: pdf, state: 'INGESTED', sizeKb: 4_820, daysAgo: 80 },
      { name: 'Tone of voice.md', mimeType: md, state: 'INGESTED', sizeKb: 18, daysAgo: 75 },
      { name: 'Logo usage.pdf', mimeType: pdf, state: 'DEPRECATED', sizeKb: 1_210, daysAgo: 88 },
    ] }],
    keys: [stdKey('Acme website chatbot', { type: 'SERVICE', rateLimitPerMinute: 600, scopes: ['models:read', 'chat', 'usage:write'] }), stdKey('Alice laptop', { revoked: true })],
  },
  {
    user: 'alice.admin', realm: 'Client Campaigns',
    kbs: [{ name: 'Campaign Briefs', description: 'Client briefs by quarter.', docs: [
      { name: 'Q3 launch brief.docx', mimeType: docx, state: 'INGESTED', sizeKb: 96, daysAgo: 30 },
      { name: 'Q4 holiday brief.docx', mimeType: docx, state: 'INGESTING', sizeKb: 120, daysAgo: 1 },
    ] }],
    chats: [{ title: 'Holiday campaign headlines', agent: 'scribe', daysAgo: 2, messages: [
      ['USER', 'Give me five headlines for a cosy winter coffee campaign.'],
      ['ASSISTANT', '1. Warm Up Your Mornings 2. Winter, Brewed 3. The Cosy Cup 4. Mornings Worth Waking For 5. Slow Sips, Short Days'],
      ['USER', 'Make number 3 more playful.'],
      ['ASSISTANT', 'Cup of Cosy: Now Serving Snow Days'],
    ] }],
  },
  { user: 'bob.user', realm: 'Default', chats: [{ title: 'Getting started', agent: 'sanctum', daysAgo: 40, messages: hello }], keys: [stdKey('Bob CMS plugin', { restrictToModels: ['blog-writer'] })] },
  // Lex & Co
  {
    user: 'dan.admin', realm: 'Default',
    servers: [{ name: 'Lex pgvector', type: 'PGVECTOR', host: 'db.lexco.example', port: 5432, database: 'vectors', collection: 'precedents', isActive: true }],
    kbs: [{ name: 'Precedents', description: 'Template clauses and past agreements.', server: 'Lex pgvector', docs: [
      { name: 'Master services agreement.docx', mimeType: docx, state: 'INGESTED', sizeKb: 210, daysAgo: 85 },
      { name: 'NDA mutual.docx', mimeType: docx, state: 'INGESTED', sizeKb: 44, daysAgo: 60 },
      { name: 'Scanned lease 1998.pdf', mimeType: pdf, state: 'FAILED', sizeKb: 38_400, daysAgo: 12 },
    ] }],
    keys: [stdKey('Lex document gateway', { type: 'GATEWAY', rateLimitPerMinute: 1200, maxTokens: 16384, scopes: ['models:read', 'usage:write', 'documents:read'], expiresInDays: 365 })],
  },
  {
    user: 'dan.admin', realm: 'Litigation',
    kbs: [{ name: 'Case Bundles', description: 'Disclosure bundles per matter.', docs: [
      { name: 'Smith v Jones bundle.pdf', mimeType: pdf, state: 'PENDING', sizeKb: 12_300, daysAgo: 0 },
    ] }],
  },
  {
    user: 'erin.user', realm: 'Default',
    chats: [{ title: 'Termination clause review', agent: 'clerk', daysAgo: 5, messages: [
      ['USER', 'Does clause 14 let the supplier terminate for convenience?'],
      ['ASSISTANT', 'Yes: clause 14.2 allows either party to terminate on 90 days\' written notice without cause. Clause 14.4 limits the supplier\'s liability on such termination.'],
    ] }],
    keys: [stdKey('Erin Word add-in', { restrictToModels: ['legal-analyst'], maxTokens: 16384 })],
  },
  { user: 'erin.user', realm: 'Immigration Cases', looseDocs: [{ name: 'Skilled worker checklist.md', mimeType: md, state: 'INGESTED', sizeKb: 9, daysAgo: 20 }] },
  { user: 'frank.user', realm: 'Default', chats: [{ title: 'Getting started', agent: 'sanctum', daysAgo: 50, messages: hello }] },
  // Pulse Health
  {
    user: 'hana.admin', realm: 'Default',
    keys: [stdKey('Pulse patient portal', { type: 'SERVICE', rateLimitPerMinute: 300, scopes: ['models:read', 'chat', 'usage:write'] })],
  },
  {
    user: 'hana.admin', realm: 'Patient Leaflets',
    servers: [{ name: 'Pulse Chroma', type: 'CHROMA', host: 'chroma.pulse.example', port: 8000, collection: 'leaflets', isActive: false }],
    kbs: [{ name: 'Leaflets', description: 'Approved leaflets.', server: 'Pulse Chroma', docs: [
      { name: 'Knee arthroscopy aftercare.pdf', mimeType: pdf, state: 'INGESTED', sizeKb: 640, daysAgo: 45 },
      { name: 'Managing hypertension.pdf', mimeType: pdf, state: 'INGESTED', sizeKb: 520, daysAgo: 44 },
    ] }],
  },
  { user: 'ivan.user', realm: 'Default', chats: [{ title: 'Plain-English asthma explainer', agent: 'scribe', daysAgo: 3, messages: [
    ['USER', 'Explain asthma to a 12-year-old.'],
    ['ASSISTANT', 'Asthma makes the tubes that carry air in and out of your lungs get narrow and swollen sometimes, so breathing feels harder. Inhalers help open them up again.'],
  ] }], keys: [stdKey('Ivan testing')] },
  // Brightside Realty
  {
    user: 'jude.admin', realm: 'Default',
    servers: [{ name: 'Brightside Pinecone', type: 'PINECONE', host: 'brightside-abc123.svc.pinecone.example', port: 443, collection: 'listings', isActive: true }],
    kbs: [{ name: 'Listings', description: 'Current listings and floor plans.', server: 'Brightside Pinecone', docs: [
      { name: '12 Elm Road.pdf', mimeType: pdf, state: 'INGESTED', sizeKb: 2_300, daysAgo: 14 },
      { name: 'Flat 4, Harbour View.pdf', mimeType: pdf, state: 'INGESTED', sizeKb: 1_900, daysAgo: 9 },
    ] }],
    keys: [stdKey('Brightside website', { type: 'SERVICE', rateLimitPerMinute: 120, restrictToModels: ['property-writer'] })],
  },
  { user: 'kim.user', realm: 'Default', chats: [{ title: 'Listing for 12 Elm Road', agent: 'scribe', daysAgo: 14, messages: [
    ['USER', 'Write a listing for a 3-bed semi on Elm Road with a south-facing garden.'],
    ['ASSISTANT', 'A bright three-bedroom semi on a quiet, tree-lined road, with a south-facing garden that catches the sun all afternoon...'],
  ] }], keys: [stdKey('Kim phone app')] },
  // Northwind Tutors
  {
    user: 'maya.admin', realm: 'Default',
    kbs: [{ name: 'Syllabus', description: 'Exam board specifications.', docs: [
      { name: 'GCSE maths specification.pdf', mimeType: pdf, state: 'INGESTED', sizeKb: 1_450, daysAgo: 70 },
    ] }],
    keys: [stdKey('Northwind classroom', { type: 'SERVICE', rateLimitPerMinute: 30, maxTokens: 2048 })],
  },
  { user: 'nico.user', realm: 'Default', chats: [{ title: 'Quadratic equations', agent: 'sanctum', daysAgo: 1, messages: [
    ['USER', 'How do I solve x^2 - 5x + 6 = 0?'],
    ['ASSISTANT', 'Look for two numbers that multiply to 6 and add to -5. Can you find them?'],
    ['USER', '-2 and -3?'],
    ['ASSISTANT', 'Exactly: (x - 2)(x - 3) = 0, so x = 2 or x = 3.'],
  ] }] },

  // Legacy rows (realm_id null): 2–3 per kind, across orgs.
  { user: 'bob.user', realm: null,
    kbs: [{ name: 'Old campaign briefs', description: 'Imported from the previous system.', docs: [{ name: '2022 rebrand brief.docx', mimeType: docx, state: 'INGESTED', sizeKb: 88, daysAgo: 89 }] }],
    chats: [{ title: 'Imported conversation', agent: null, daysAgo: 89, messages: hello.slice(1) }],
    keys: [stdKey('Legacy Zapier key')] },
  { user: 'erin.user', realm: null,
    servers: [{ name: 'Old Weaviate', type: 'WEAVIATE', host: 'weaviate.lexco.example', port: 8080, isActive: false }],
    looseDocs: [{ name: 'Old engagement letter.pdf', mimeType: pdf, state: 'FAILED', sizeKb: 300, daysAgo: 87 }] },
  { user: 'kim.user', realm: null,
    servers: [{ name: 'Branch Milvus', type: 'MILVUS', host: 'milvus.brightside.example', port: 19530, isActive: false }],
    chats: [{ title: 'Imported conversation', agent: null, daysAgo: 86, messages: hello.slice(1) }] },
  { user: 'nico.user', realm: null,
    kbs: [{ name: 'Past papers', description: 'Imported from the previous system.', docs: [{ name: 'Past paper June 2019.pdf', mimeType: pdf, state: 'INGESTED', sizeKb: 760, daysAgo: 88 }] }],
    keys: [stdKey('Legacy LMS key', { rateLimitPerMinute: 10 })] },
];
