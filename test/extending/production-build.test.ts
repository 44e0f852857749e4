import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyDatabase, type EmptyDatabase } from '../setup/test-database.js';
import { startApp, type AppProcess } from '../setup/app-process.js';
import { copyRepo, type RepoCopy } from '../support/repo-copy.js';

/**
 * The production image without a Docker engine: the Dockerfile's build-stage RUN
 * commands in a clean copy of the repository (its install replaced by this
 * checkout's node_modules plus the install's own postinstall, `npm run generate`),
 * then the runtime stage's command, `node dist/main.js`, against the test
 * database: /readyz answers 200 with the migrations applied by the compiled code.
 */
let copy: RepoCopy;
let database: EmptyDatabase;
let app: AppProcess | undefined;

/** The RUN lines of the Dockerfile's `build` stage, continuation lines joined. */
function buildStageCommands(dockerfile: string): string[] {
  const text = dockerfile.replace(/\\\n\s*/g, ' ');
  const stage = text.split(/^FROM /m).find((s) => /^\S+ AS build\b/.test(s));
  if (!stage) throw new Error('Dockerfile has no `FROM ... AS build` stage');
  return stage
    .split('\n')
    .filter((l) => l.startsWith('RUN '))
    .map((l) => l.slice(4).trim());
}

beforeAll(async () => {
  copy = copyRepo('production-build');
  database = await emptyDatabase('production_build');
}, 120_000);
afterAll(async () => {
  app?.kill();
  await app?.exited;
  await database?.drop();
  copy?.remove();
});

it('the runtime stage runs node dist/main.js as a non-root user with a /readyz health check', () => {
  // hadolint is not installable here (not in Debian, PyPI unreachable); these are the rules that matter most.
  const text = fs.readFileSync(path.join(copy.dir, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const runtime = text.split(/^FROM /m).find((s) => /^\S+ AS runtime\b/.test(s))!;
  expect(runtime, 'a runtime stage').toBeDefined();
  expect(runtime).toMatch(/^USER (node|\d{3,})$/m);
  expect(runtime).toMatch(/^HEALTHCHECK .*\/readyz/m);
  expect(runtime).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  expect(text).toMatch(/^RUN npm prune --omit=dev/m);
  expect(runtime).toMatch(/^COPY --from=build \/app\/node_modules /m);
  expect(runtime).not.toMatch(/^COPY (--\S+ )*(\/app\/)?(src|\.) /m);
  expect(fs.readFileSync(path.join(copy.dir, '.dockerignore'), 'utf8')).toMatch(/^\.env$/m);
});

it('builds as the Dockerfile says and serves /readyz from node dist/main.js', async () => {
  const commands = buildStageCommands(fs.readFileSync(path.join(copy.dir, 'Dockerfile'), 'utf8'));
  expect(commands[0], 'the build stage installs with the lockfile first').toMatch(/^npm ci\b/);
  expect(commands).toContain('npm run build');
  // The install: node_modules are linked from this checkout, so npm ci becomes its
  // postinstall, and the final prune is left out (it would unlink this checkout's packages).
  const postinstall = JSON.parse(fs.readFileSync(path.join(copy.dir, 'package.json'), 'utf8')).scripts.postinstall as string;
  const env = { ADMIN_JS_TMP_DIR: path.join(copy.dir, '.adminjs') };
  await copy.run('sh', ['-c', postinstall], { env });
  for (const command of commands.slice(1).filter((c) => !c.startsWith('npm prune') && c !== postinstall)) await copy.run('sh', ['-c', command], { env });

  expect(fs.existsSync(path.join(copy.dir, 'dist/main.js'))).toBe(true);
  expect(fs.existsSync(path.join(copy.dir, 'dist/generated/dmmf.json'))).toBe(true);
  expect(fs.existsSync(path.join(copy.dir, '.adminjs/bundle.js')), 'the panel bundle is prebuilt').toBe(true);
  expect(fs.readdirSync(path.join(copy.dir, 'dist')).some((f) => f.endsWith('.ts'))).toBe(false);

  app = startApp(
    {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      SEED_DEMO: 'false',
      ADMIN_PASSWORD: 'production-build-admin-password',
      SESSION_SECRET: 'production-build-session-secret-0123456789abcdef',
      API_KEY_PEPPER: 'production-build-api-key-pepper-0123456789abcdef',
      ENCRYPTION_KEY: 'ab'.repeat(32),
      JWT_SECRET: 'production-build-jwt-secret-0123456789abcdef0123',
    },
    { cwd: copy.dir, entry: ['dist/main.js'] },
  );
  const [, url] = await app.waitFor(/Realmgate is running: (http:\/\/\S+)\/admin/, 120_000);
  const ready = await fetch(`${url}/readyz`);
  expect(ready.status, await ready.text()).toBe(200);
  // The prebuilt bundle was used as is: nothing bundled at start.
  expect(app.logs().some((l) => l.msg === 'admin bundle prebuilt')).toBe(true);
  const login = await fetch(`${url}/admin/login`);
  expect(login.status).toBe(200);
}, 600_000);
