import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Outside production, secrets that are not set are generated once and kept in
 * .data/secrets.json (git-ignored), so sessions and API keys survive restarts.
 * Production never reaches this: config refuses to start without real secrets.
 */
export function loadOrCreateDevSecrets(dir: string) {
  const file = path.join(dir, 'secrets.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { SESSION_SECRET: string; API_KEY_PEPPER: string; ENCRYPTION_KEY: string };
  } catch {
    const secrets = {
      SESSION_SECRET: crypto.randomBytes(32).toString('base64url'),
      API_KEY_PEPPER: crypto.randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
    };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    return secrets;
  }
}
