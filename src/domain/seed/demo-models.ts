import type { OrganizationType, PricingPlan, Prisma, TokenLimitPeriod } from '@prisma/client';
import { demoId } from './deterministic-id.js';

/** The six system AI models of seed 001 (organizationId null = offered to every eligible org). */
export interface DemoModel {
  key: string;
  name: string;
  description: string;
  role: string;
  tasks: { name: string; prompt: string }[];
  systemMessage: string;
  provider: string;
  providerModelId: string;
  maxTokens: number;
  icon: string;
  /** empty = every organization type */
  organizationTypes: OrganizationType[];
  requiredPlan: PricingPlan;
  tokenLimitPeriod: TokenLimitPeriod | null;
  tokenLimitAmount: number | null;
  isFree: boolean;
  isTrial: boolean;
  trialDays: number | null;
  isFeatured: boolean;
  tags: string[];
  sortOrder: number;
}

export const DEMO_MODELS: DemoModel[] = [
  {
    key: 'blog-writer',
    name: 'Blog Content Writer Pro',
    description: 'Plans, drafts and polishes long-form blog content with SEO in mind.',
    role: 'Senior content marketer and copywriter',
    tasks: [
      { name: 'Outline a post', prompt: 'Create a detailed outline with H2/H3 headings for a blog post about: {topic}. Audience: {audience}.' },
      { name: 'Write a draft', prompt: 'Write a 1,200-word blog post from this outline, in a friendly, expert voice:\n{outline}' },
      { name: 'SEO metadata', prompt: 'Suggest an SEO title (max 60 chars), a meta description (max 155 chars) and 5 keywords for:\n{post}' },
      { name: 'Headline variants', prompt: 'Give 10 headline variants for this post, mixing curiosity, benefit and how-to styles:\n{post}' },
      { name: 'Social snippets', prompt: 'Write 3 LinkedIn posts and 3 tweets promoting this article, each with a clear call to action:\n{post}' },
    ],
    systemMessage: 'You are an experienced content marketer. Write clear, original, well-structured copy. Never invent statistics; mark anything that needs a source with [citation needed].',
    provider: 'openai',
    providerModelId: 'gpt-4o',
    maxTokens: 8192,
    icon: 'FileText',
    organizationTypes: ['MARKETING', 'SOFTWARE', 'RETAIL', 'CONSULTING'],
    requiredPlan: 'PRO',
    tokenLimitPeriod: 'MONTHLY',
    tokenLimitAmount: 50_000,
    isFree: false,
    isTrial: false,
    trialDays: null,
    isFeatured: true,
    tags: ['content', 'marketing', 'seo', 'writing'],
    sortOrder: 10,
  },
  {
    key: 'legal-analyst',
    name: 'Legal Document Analyst',
    description: 'Summarises contracts, flags risky clauses and compares document versions.',
    role: 'Legal analyst supporting qualified solicitors',
    tasks: [
      { name: 'Summarise a contract', prompt: 'Summarise this contract: parties, term, payment, termination, liability caps and governing law.\n{document}' },
      { name: 'Flag risky clauses', prompt: 'List clauses in this document that are unusual or unfavourable to {party}, with a one-line reason each:\n{document}' },
      { name: 'Compare versions', prompt: 'Compare these two versions and list every material change, clause by clause:\nA:\n{versionA}\nB:\n{versionB}' },
    ],
    systemMessage: 'You assist legal professionals. You do not give legal advice to the public. Quote the clause you rely on, say when a point depends on jurisdiction, and flag uncertainty explicitly.',
    provider: 'anthropic',
    providerModelId: 'claude-3-5-sonnet-latest',
    maxTokens: 16384,
    icon: 'Briefcase',
    organizationTypes: ['SOLICITOR', 'FINANCE', 'IMMIGRATION'],
    requiredPlan: 'ENTERPRISE',
    tokenLimitPeriod: 'MONTHLY',
    tokenLimitAmount: 100_000,
    isFree: false,
    isTrial: false,
    trialDays: null,
    isFeatured: true,
    tags: ['legal', 'contracts', 'compliance'],
    sortOrder: 20,
  },
  {
    key: 'healthcare-assistant',
    name: 'Healthcare Information Assistant',
    description: 'Turns clinical information into clear patient education material.',
    role: 'Patient education writer',
    tasks: [
      { name: 'Explain a condition', prompt: 'Explain {condition} to a patient in plain English (reading age 12): what it is, common symptoms, when to seek help.' },
      { name: 'Aftercare leaflet', prompt: 'Write a one-page aftercare leaflet for {procedure}, with do and do-not lists and warning signs.' },
    ],
    systemMessage: 'You write general health information, not diagnoses. Always advise patients to follow their clinician\'s instructions and to seek urgent care for red-flag symptoms.',
    provider: 'anthropic',
    providerModelId: 'claude-3-5-haiku-latest',
    maxTokens: 4096,
    icon: 'Activity',
    organizationTypes: ['DOCTOR', 'HEALTHCARE', 'BEAUTY'],
    requiredPlan: 'PRO',
    tokenLimitPeriod: 'MONTHLY',
    tokenLimitAmount: 30_000,
    isFree: false,
    isTrial: false,
    trialDays: null,
    isFeatured: false,
    tags: ['healthcare', 'patients', 'education'],
    sortOrder: 30,
  },
  {
    key: 'property-writer',
    name: 'Property Listing Writer',
    description: 'Writes listing copy and neighbourhood summaries for estate agents.',
    role: 'Estate agency copywriter',
    tasks: [
      { name: 'Listing description', prompt: 'Write a 150-word listing for: {bedrooms}-bed {propertyType} in {area}. Features: {features}. Avoid clichés.' },
      { name: 'Neighbourhood summary', prompt: 'Write a short neighbourhood guide for {area}: transport, schools, shops and green space.' },
    ],
    systemMessage: 'You write accurate, appealing property copy. Never overstate size or condition, and never describe the people who live in an area.',
    provider: 'openai',
    providerModelId: 'gpt-4o-mini',
    maxTokens: 2048,
    icon: 'Home',
    organizationTypes: ['REAL_ESTATE'],
    requiredPlan: 'STARTER',
    tokenLimitPeriod: 'MONTHLY',
    tokenLimitAmount: 20_000,
    isFree: false,
    isTrial: false,
    trialDays: null,
    isFeatured: false,
    tags: ['real-estate', 'listings', 'copywriting'],
    sortOrder: 40,
  },
  {
    key: 'basic-assistant',
    name: 'Basic Assistant',
    description: 'A general-purpose assistant for everyday questions and short writing tasks.',
    role: 'General assistant',
    tasks: [
      { name: 'Answer a question', prompt: 'Answer concisely, then list any assumptions you made:\n{question}' },
      { name: 'Rewrite text', prompt: 'Rewrite this text to be clearer and shorter, keeping the meaning:\n{text}' },
    ],
    systemMessage: 'You are a helpful, concise assistant. Say so when you do not know.',
    provider: 'openai',
    providerModelId: 'gpt-4o-mini',
    maxTokens: 4096,
    icon: 'Cpu',
    organizationTypes: [],
    requiredPlan: 'FREE',
    tokenLimitPeriod: null,
    tokenLimitAmount: null,
    isFree: true,
    isTrial: false,
    trialDays: null,
    isFeatured: true,
    tags: ['general', 'free'],
    sortOrder: 50,
  },
  {
    key: 'education-tutor',
    name: 'Education Tutor (Trial)',
    description: 'A patient tutor that explains concepts step by step and writes practice questions.',
    role: 'Tutor',
    tasks: [
      { name: 'Explain a concept', prompt: 'Explain {concept} to a {level} student step by step, with one worked example.' },
      { name: 'Practice questions', prompt: 'Write 5 practice questions on {topic} for {level}, increasing in difficulty, with answers at the end.' },
    ],
    systemMessage: 'You are a patient tutor. Guide students to the answer with hints before giving it, and check understanding with a short question.',
    provider: 'google',
    providerModelId: 'gemini-1.5-flash',
    maxTokens: 4096,
    icon: 'BookOpen',
    organizationTypes: ['EDUCATION'],
    requiredPlan: 'FREE',
    tokenLimitPeriod: 'MONTHLY',
    tokenLimitAmount: 10_000,
    isFree: false,
    isTrial: true,
    trialDays: 30,
    isFeatured: false,
    tags: ['education', 'tutoring', 'trial'],
    sortOrder: 60,
  },
];

export const modelId = (key: string): string => demoId('ai-model', key);

const PLAN_RANK: Record<PricingPlan, number> = { FREE: 0, STARTER: 1, PRO: 2, ENTERPRISE: 3 };

/** The targeting rule: the model's types are empty or include the org's, and the org's plan is at least the model's. */
export function isEligible(model: Pick<DemoModel, 'organizationTypes' | 'requiredPlan'>, org: { type: OrganizationType; pricingPlan: PricingPlan }): boolean {
  const typeOk = model.organizationTypes.length === 0 || model.organizationTypes.includes(org.type);
  return typeOk && PLAN_RANK[org.pricingPlan] >= PLAN_RANK[model.requiredPlan];
}

export function modelRows(): Prisma.AiModelCreateManyInput[] {
  return DEMO_MODELS.map(({ key, ...m }) => ({
    ...m,
    id: modelId(key),
    organizationId: null,
    endpoint: null,
    providerApiKeyEncrypted: null, // no real secrets in seeds
    isActive: true,
  }));
}
