import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const devSecrets = () => ({ SESSION_SECRET: 's'.repeat(40), API_KEY_PEPPER: 'p'.repeat(40), ENCRYPTION_KEY: 'a'.repeat(64) });
const SECRETS = { SESSION_SECRET: 'x'.repeat(40), API_KEY_PEPPER: 'y'.repeat(40), ENCRYPTION_KEY: 'b'.repeat(64), JWT_SECRET: 'j'.repeat(40) };

function configError(env: NodeJS.ProcessEnv, secrets: typeof devSecrets | undefined = devSecrets): ConfigError {
  try {
    parseConfig(env, secrets);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

describe('parseConfig', () => {
  it('accepts an empty environment with defaults and development secrets', () => {
    const config = parseConfig({}, devSecrets);
    expect(config).toMatchObject({ NODE_ENV: 'development', PORT: 3000, HOST: '127.0.0.1', SESSION_SECRET: 's'.repeat(40) });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('accepts a PostgreSQL DATABASE_URL and a numeric PORT (0 lets the OS choose)', () => {
    const config = parseConfig({ DATABASE_URL: 'postgresql://u:p@db.example:5432/realmgate', PORT: '0' }, devSecrets);
    expect(config.DATABASE_URL).toBe('postgresql://u:p@db.example:5432/realmgate');
    expect(config.PORT).toBe(0);
    expect(parseConfig({ DATABASE_URL: 'postgres://localhost/x' }, devSecrets).DATABASE_URL).toBe('postgres://localhost/x');
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '3000.5' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['NODE_ENV', { NODE_ENV: 'prod' }],
    ['ADMIN_PASSWORD', { ADMIN_PASSWORD: 'short' }],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: 'not-hex' }],
  ])('rejects a bad %s with one line naming it (%j)', (name, env) => {
    const e = configError(env);
    expect(e.message).not.toContain('\n');
    expect(e.message).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('does not echo secret values in its message', () => {
    const e = configError({ ADMIN_PASSWORD: 'hunter2' });
    expect(e.message).not.toContain('hunter2');
  });

  it('refuses NODE_ENV=production without SESSION_SECRET, naming it, and never fills it from development secrets', () => {
    const e = configError({ NODE_ENV: 'production', API_KEY_PEPPER: SECRETS.API_KEY_PEPPER, ENCRYPTION_KEY: SECRETS.ENCRYPTION_KEY });
    expect(e.message).not.toContain('\n');
    expect(e.message).toMatch(/\bSESSION_SECRET\b/);
    expect(configError({ NODE_ENV: 'production' }).message).toMatch(/\bSESSION_SECRET\b/);
    expect(configError({ NODE_ENV: 'production', SESSION_SECRET: SECRETS.SESSION_SECRET, ENCRYPTION_KEY: SECRETS.ENCRYPTION_KEY }).message).toMatch(
      /\bAPI_KEY_PEPPER\b/,
    );
  });

  it('refuses a too-short SESSION_SECRET in production', () => {
    const e = configError({ NODE_ENV: 'production', ...SECRETS, SESSION_SECRET: 'short' });
    expect(e.message).toMatch(/\bSESSION_SECRET\b/);
    expect(e.message).not.toContain('short');
  });

  it('refuses NODE_ENV=production without JWT_SECRET, and derives none from other secrets', () => {
    const { JWT_SECRET: _omitted, ...rest } = SECRETS;
    expect(configError({ NODE_ENV: 'production', ...rest }).message).toMatch(/\bJWT_SECRET\b/);
  });

  it('accepts production with every secret set', () => {
    const config = parseConfig({ NODE_ENV: 'production', ...SECRETS }, devSecrets);
    expect(config.SESSION_SECRET).toBe(SECRETS.SESSION_SECRET);
  });
});

describe('npm start with bad configuration', () => {
  it('exits with code 1 and a single stderr line naming PORT', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: 'abc' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines, `stderr was: ${stderr}`).toHaveLength(1);
    expect(lines[0]).toMatch(/\bPORT\b/);
    expect(lines[0]).toContain('abc');
    expect(stdout).toBe('');
  });
});
