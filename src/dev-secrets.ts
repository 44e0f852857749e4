import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Outside production, secrets that are not set are generated once and kept in
 * .data/secrets.json (git-ignored), so sessions and API keys survive restarts.
 * Production never reaches this: config refuses to start without real secrets.
 */
interface DevSecrets {
  SESSION_SECRET: string;
  API_KEY_PEPPER: string;
  ENCRYPTION_KEY: string;
  JWT_SECRET: string;
}

export function loadOrCreateDevSecrets(dir: string): DevSecrets {
  const file = path.join(dir, 'secrets.json');
  let stored: Partial<DevSecrets> = {};
  try {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DevSecrets>;
  } catch {
    stored = {};
  }
  const fresh: DevSecrets = {
    SESSION_SECRET: crypto.randomBytes(32).toString('base64url'),
    API_KEY_PEPPER: crypto.randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
    JWT_SECRET: crypto.randomBytes(32).toString('base64url'),
  };
  // A file from an older version lacks newer secrets (JWT_SECRET): add them, keep the rest.
  const secrets = { ...fresh, ...stored } as DevSecrets;
  if (Object.keys(fresh).some((k) => !(k in stored))) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
