import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Generated secrets live in one file, `secrets.json`, beside the embedded
 * PostgreSQL's data folder (the parent of PGDATA_DIR: `.data/secrets.json` by
 * default), git-ignored and readable by its owner only (0600).
 *
 * Outside production, app secrets that are not set are generated once there, so
 * sessions and API keys survive restarts (production refuses to start without
 * real ones: config never asks). The embedded PostgreSQL's superuser password is
 * generated there in every mode, at its first initialisation.
 */
export interface GeneratedSecrets {
  SESSION_SECRET: string;
  API_KEY_PEPPER: string;
  ENCRYPTION_KEY: string;
  JWT_SECRET: string;
  EMBEDDED_PG_PASSWORD: string;
}

const GENERATORS: { [K in keyof GeneratedSecrets]: () => string } = {
  SESSION_SECRET: () => crypto.randomBytes(32).toString('base64url'),
  API_KEY_PEPPER: () => crypto.randomBytes(32).toString('base64url'),
  ENCRYPTION_KEY: () => crypto.randomBytes(32).toString('hex'),
  JWT_SECRET: () => crypto.randomBytes(32).toString('base64url'),
  EMBEDDED_PG_PASSWORD: () => crypto.randomBytes(24).toString('base64url'),
};

/** Where the generated secrets of a data folder live. */
export function secretsFileFor(pgDataDir: string): string {
  return path.join(path.dirname(path.resolve(pgDataDir)), 'secrets.json');
}

function read(file: string): Partial<GeneratedSecrets> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<GeneratedSecrets>;
  } catch {
    return {};
  }
}

/**
 * Returns the named secrets from `file`, generating (and writing, 0600) only
 * those missing: a value once written is never replaced.
 */
export function loadOrCreateSecrets<K extends keyof GeneratedSecrets>(file: string, names: readonly K[]): Pick<GeneratedSecrets, K> {
  const current = read(file);
  const missing = names.filter((n) => typeof current[n] !== 'string' || current[n] === '');
  if (missing.length > 0) {
    for (const n of missing) current[n] = GENERATORS[n]();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Write then rename, so a crash never leaves a half-written file behind.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600); // a file made by an older version, or copied loosely
  return Object.fromEntries(names.map((n) => [n, current[n]!])) as Pick<GeneratedSecrets, K>;
}

/** The app secrets for development and test, kept in `secrets.json` beside the data folder. */
export function loadOrCreateDevSecrets(pgDataDir: string): Pick<GeneratedSecrets, 'SESSION_SECRET' | 'API_KEY_PEPPER' | 'ENCRYPTION_KEY' | 'JWT_SECRET'> {
  // A file from an older version lacks newer secrets (JWT_SECRET): they are added, the rest kept.
  return loadOrCreateSecrets(secretsFileFor(pgDataDir), ['SESSION_SECRET', 'API_KEY_PEPPER', 'ENCRYPTION_KEY', 'JWT_SECRET']);
}
