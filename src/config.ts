import crypto from 'node:crypto';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://');

const secret = z.string().min(32, 'must be at least 32 characters');

const retentionShape = {
  /** Whole months of usage ledger kept before the current one (older partitions are dropped whole); unset keeps all. */
  USAGE_RETENTION_MONTHS: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(1).max(1200).optional(),
  /** Days chat message text is kept (then blanked; rows and usage stay); unset keeps it. */
  CHAT_CONTENT_RETENTION_DAYS: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(1).max(36500).optional(),
};

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Use this PostgreSQL instead of the embedded one. */
  DATABASE_URL: postgresUrl.optional(),
  /**
   * The app's own login (member of realmgate_app, no BYPASSRLS). Unset: created from
   * the owner's connection at start. Set it when the owner may not create roles.
   */
  DATABASE_APP_URL: postgresUrl.optional(),
  /**
   * The system login (member of realmgate_system only): sign-in, sessions, seeds,
   * cross-tenant work. Unset: created from the owner's connection at start.
   */
  DATABASE_SYSTEM_URL: postgresUrl.optional(),
  /** Where the embedded PostgreSQL keeps its data (git-ignored). */
  PGDATA_DIR: z.string().min(1).default('.data/postgres'),
  /** Port of the embedded PostgreSQL; 0 picks a free one. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  SESSION_SECRET: secret.optional(),
  API_KEY_PEPPER: secret.optional(),
  /** 32 bytes as 64 hex characters: encrypts provider secrets at rest (AES-256-GCM). */
  ENCRYPTION_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)').optional(),
  /** Signs the API's short-lived user tokens (HS256). */
  JWT_SECRET: secret.optional(),
  /** Largest JSON body the API accepts (bytes, or "100kb", "1mb"); larger ones get 413. */
  API_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)?$/i, 'must be a size like 102400, 100kb or 1mb')
    .default('100kb'),
  /** Lifetime of the API's access tokens (minutes) and refresh tokens (days). */
  API_TOKEN_MINUTES: z.coerce.number().int().min(1).max(60).default(15),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  API_REFRESH_DAYS: z.coerce.number().int().min(1).max(90).default(30),
  ADMIN_EMAIL: z.string().email().default('admin@realmgate.local'),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  DEMO_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /** Seed the demo data set when the database is empty. */
  SEED_DEMO: bool.default('true'),
  /** Express "trust proxy": set when behind a TLS-terminating proxy so cookies get Secure. */
  TRUST_PROXY: z.string().default('false'),
  /** Hot path: a usage reservation not settled, released or extended within this many seconds is given back. */
  USAGE_RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Hot path: how long a batch waits for company (ms), its largest size, and batch transactions in flight at once. */
  USAGE_BATCH_WINDOW_MS: z.coerce.number().min(0).max(50).default(1),
  USAGE_BATCH_MAX: z.coerce.number().int().min(1).max(5000).default(256),
  USAGE_BATCHES_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(2),
  /** Hot path: operations arriving while a batch waits for its locks join it, up to this many in all (0: none). */
  USAGE_BATCH_JOIN_UP_TO: z.coerce.number().int().min(0).max(5000).default(32),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).default(12),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  LOCKOUT_MINUTES: z.coerce.number().int().min(1).default(15),
  /** Failed sign-ins per IP per window before the IP is blocked (kept in PostgreSQL). */
  LOGIN_IP_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(20),
  LOGIN_IP_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  LOGIN_IP_BLOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  ...retentionShape,
  /** How long a shutdown may take before what is pending is reported and the process exits non-zero. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(100).default(10_000),
  /** Portkey hooks: the answer's bound held for a request that names no max_tokens (see src/domain/portkey/estimate-request-tokens.ts). */
  PORTKEY_DEFAULT_MAX_TOKENS: z.coerce.number().int().min(1).max(1_000_000).default(4096),
  /** Portkey hooks: largest webhook body (the gateway sends the whole request and answer). */
  PORTKEY_HOOK_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)?$/i, 'must be a size like 102400, 100kb or 1mb')
    .default('8mb'),
});

export type Config = z.infer<typeof schema> & {
  SESSION_SECRET: string;
  API_KEY_PEPPER: string;
  ENCRYPTION_KEY: string;
  JWT_SECRET: string;
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const PRODUCTION_SECRETS = ['SESSION_SECRET', 'API_KEY_PEPPER', 'ENCRYPTION_KEY', 'JWT_SECRET'] as const;

function firstIssue(error: z.ZodError, env: Record<string, string | undefined>): ConfigError {
  const issue = error.issues[0]!;
  const name = issue.path.join('.');
  const got = env[name];
  const shown = name.match(/SECRET|PASSWORD|PEPPER|KEY/) || got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
  return new ConfigError(`Invalid configuration: ${name} ${issue.message.replace(/^String /, '').toLowerCase()}${shown}`);
}

const clean = (env: NodeJS.ProcessEnv) =>
  // Empty strings count as unset, as most tools treat them.
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;

/** Only what a command-line tool needs to reach the database. */
export function parseDatabaseConfig(env: NodeJS.ProcessEnv): Pick<Config, 'DATABASE_URL' | 'PGDATA_DIR' | 'EMBEDDED_PG_PORT' | 'LOG_LEVEL'> {
  const cleaned = clean(env);
  const result = schema.pick({ DATABASE_URL: true, PGDATA_DIR: true, EMBEDDED_PG_PORT: true, LOG_LEVEL: true }).safeParse(cleaned);
  if (!result.success) throw firstIssue(result.error, cleaned);
  return result.data;
}

/**
 * Parses the environment once. Throws ConfigError with one line naming the
 * variable. Secrets must be set in production; elsewhere `devSecrets` fills them.
 */
export function parseConfig(
  env: NodeJS.ProcessEnv,
  devSecrets?: () => Partial<Record<(typeof PRODUCTION_SECRETS)[number], string>>,
): Config {
  const cleaned = clean(env);
  const result = schema.safeParse(cleaned);
  if (!result.success) throw firstIssue(result.error, cleaned);
  const parsed = result.data;
  const missing = PRODUCTION_SECRETS.filter((k) => !parsed[k]);
  if (missing.length > 0) {
    if (parsed.NODE_ENV === 'production') {
      throw new ConfigError(`Invalid configuration: ${missing[0]} is required when NODE_ENV=production`);
    }
    const generated = devSecrets?.() ?? {};
    for (const k of missing) {
      // Outside production a JWT secret may come from the session secret, so configurations
      // written before the API existed (tests, .env files) keep working.
      const value = generated[k] ?? (k === 'JWT_SECRET' && parsed.SESSION_SECRET ? deriveSecret(parsed.SESSION_SECRET, 'realmgate-api-jwt') : undefined);
      if (!value) throw new ConfigError(`Invalid configuration: ${k} is required`);
      parsed[k] = value;
    }
  }
  return parsed as Config;
}

/** Retention settings alone (for the CLI). */
export function parseRetention(env: NodeJS.ProcessEnv): { usageRetentionMonths: number | null; chatContentRetentionDays: number | null } {
  const result = z.object(retentionShape).safeParse(clean(env));
  if (!result.success) throw new ConfigError(firstIssue(result.error, env as Record<string, string>).message);
  return { usageRetentionMonths: result.data.USAGE_RETENTION_MONTHS ?? null, chatContentRetentionDays: result.data.CHAT_CONTENT_RETENTION_DAYS ?? null };
}

function deriveSecret(from: string, label: string): string {
  return crypto.createHmac('sha256', from).update(label).digest('base64url');
}
