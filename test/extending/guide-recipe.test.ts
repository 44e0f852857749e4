import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { PrismaClient, type UserRole } from '@prisma/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPrisma } from '../../src/db/client.js';
import { adminUrl, emptyDatabase, type EmptyDatabase } from '../setup/test-database.js';
import { ROOT, startApp, type AppProcess } from '../setup/app-process.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, personOf, type World } from '../support/admin-fixtures.js';
import { copyRepo, type RepoCopy } from '../support/repo-copy.js';

/**
 * docs/extending.md's resource recipe, end to end, in a temporary copy of the
 * repository: the guide's own Widget model into the schema, generate, scaffold
 * (and a second scaffold refused), open it to roles as the guide says, scaffold a
 * custom action on it, migrate,
 * start the app once, sign in as each role, and check another organization's
 * widgets are out of reach; then the generated test and the completeness test
 * pass in the copy, and go red naming the piece when the matrix row and the
 * policies are removed.
 */
const ROLES: UserRole[] = ['SUPERADMIN', 'ADMIN', 'USER', 'VIEWER'];
let copy: RepoCopy;
let database: EmptyDatabase;
let app: AppProcess | undefined;
let owner: PrismaClient | undefined;

/** The fenced block of `lang` that contains `needle`, from the guide. */
function guideBlock(lang: string, needle: string): string {
  const guide = fs.readFileSync(path.join(ROOT, 'docs/extending.md'), 'utf8');
  const block = [...guide.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!).find((b) => b.includes(needle));
  if (!block) throw new Error(`docs/extending.md has no ${lang} block with ${needle}`);
  return block;
}

/** Adds a field line to `model` (at its top: Prisma does not mind the order). */
function addBackRelation(schema: string, model: string, line: string): string {
  const head = `model ${model} {\n`;
  if (!schema.includes(head)) throw new Error(`no model ${model} in the schema`);
  return schema.replace(head, `${head}  ${line}\n`);
}

beforeAll(async () => {
  copy = copyRepo('guide');
  database = await emptyDatabase('guide_recipe');
}, 120_000);
afterAll(async () => {
  app?.kill();
  await app?.exited;
  await owner?.$disconnect();
  await database?.drop();
  copy?.remove();
});

it('the resource recipe works as written, and forgetting a piece is a red test naming it', async () => {
  // 1. The guide's model, and the back-relations it says to add.
  let schema = fs.readFileSync(path.join(copy.dir, 'prisma/schema.prisma'), 'utf8');
  for (const m of ['Organization', 'Realm', 'User']) schema = addBackRelation(schema, m, 'widgets Widget[]');
  schema += `\n${guideBlock('prisma', 'model Widget')}`;
  fs.writeFileSync(path.join(copy.dir, 'prisma/schema.prisma'), schema);
  await copy.run('npm', ['run', 'generate']);

  const scaffold = guideBlock('sh', 'scaffold resource').split('\n').find((l) => l.includes('scaffold resource'))!.split(/\s+/);
  const first = await copy.run(scaffold[0]!, ['run', '-s', ...scaffold.slice(2)]);
  expect(first.stdout).toMatch(/\+ prisma\/migrations\/\d{4}_widgets\/migration\.sql/);
  expect(first.stdout).toContain('+ test/resources/widget.test.ts');
  expect(first.stdout).toContain('~ src/domain/access/permissions.ts');
  const again = await copy.run(scaffold[0]!, ['run', '-s', ...scaffold.slice(2)], { allowFailure: true });
  expect(again.status).toBe(1);
  expect(again.stderr).toMatch(/already creates table "widgets": nothing written|Refusing to overwrite anything/);

  // 2. Open it to roles, as the guide's snippet says.
  const opened = guideBlock('ts', 'ADDED_ROWS').match(/Widget: \{[^}]*\}/)![0];
  const permissionsFile = path.join(copy.dir, 'src/domain/access/permissions.ts');
  const permissions = fs.readFileSync(permissionsFile, 'utf8');
  fs.writeFileSync(permissionsFile, permissions.replace('Widget: { ADMIN: NONE, USER: NONE, VIEWER: NONE }', opened));

  // A custom action on it, as the guide's step 4 says.
  const action = guideBlock('sh', 'scaffold action').trim().split(/\s+/);
  const scaffolded = await copy.run(action[0]!, ['run', '-s', ...action.slice(2)]);
  expect(scaffolded.stdout).toContain('+ src/domain/widgets/archive-widget.ts');
  expect(scaffolded.stdout).toContain('+ components/action-archive-widget.tsx');
  expect((await copy.run(action[0]!, ['run', '-s', ...action.slice(2)], { allowFailure: true })).stderr).toMatch(/Refusing to overwrite anything/);

  // 3. Migrate as the owner, start once (the copy's own `npm start` entry), sign in as each role.
  await copy.run('npm', ['run', '-s', 'migrate', '--', 'up'], { env: { DATABASE_URL: database.url } });
  owner = createPrisma(database.url, { max: 2 });
  const world: World = await createWorld(owner);
  const widget = async (who: { id: string; organizationId: string | null }, name: string) => {
    const realm = await owner!.realm.create({ data: { organizationId: who.organizationId!, ownerId: who.id, name: `realm ${name}` } });
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    const { rows } = await c.query<{ id: string }>('INSERT INTO widgets (organization_id, realm_id, user_id, name) VALUES ($1, $2, $3, $4) RETURNING id', [who.organizationId, realm.id, who.id, name]);
    await c.end();
    return rows[0]!.id;
  };
  const mine = await widget(world.user, 'A user widget');
  const colleague = await widget(world.peer, 'A peer widget');
  const theirs = await widget(world.userB, 'B widget');

  app = startApp(
    { DATABASE_URL: database.url, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', SEED_DEMO: 'false', ADMIN_PASSWORD: 'guide-recipe-admin-password', PGDATA_DIR: path.join(copy.dir, '.data/postgres') },
    { cwd: copy.dir },
  );
  const [, url] = await app.waitFor(/Realmgate is running: (http:\/\/\S+)\/admin/, 180_000);
  const visible: Record<UserRole, string[]> = { SUPERADMIN: [mine, colleague, theirs], ADMIN: [mine, colleague], USER: [mine], VIEWER: [mine, colleague] };
  for (const role of ROLES) {
    const client = await AdminClient.signIn(url!, personOf(world, role).email);
    const list = await client.list('Widget');
    expect(list.outcome, `${role} lists widgets`).toBe('ok');
    const ids = (list.body.records as Array<{ id: string }>).map((r) => r.id).sort();
    expect(ids, `${role} sees exactly`).toEqual([...visible[role]].sort());
    const show = await client.show('Widget', theirs);
    expect(show.outcome, `${role} opens organization B's widget`).toBe(role === 'SUPERADMIN' ? 'ok' : 'not-found');
    if (role !== 'SUPERADMIN') {
      const del = await client.delete('Widget', theirs);
      expect(['forbidden', 'not-found'], `${role} deletes organization B's widget`).toContain(del.outcome);
    }
  }
  // An org admin's new widget lands in their organization and in a realm, whatever the form says.
  const admin = await AdminClient.signIn(url!, world.admin.email);
  const created = await admin.create('Widget', { name: 'made by the admin' });
  expect(created.outcome, JSON.stringify(created.body?.record?.errors)).toBe('ok');
  const row = await owner.$queryRaw<Array<{ organization_id: string; realm_id: string | null }>>`SELECT organization_id::text, realm_id::text FROM widgets WHERE name = 'made by the admin'`;
  expect(row).toEqual([{ organization_id: world.orgA.id, realm_id: expect.any(String) }]);
  expect(await owner.$queryRaw<unknown[]>`SELECT 1 FROM widgets WHERE id = ${theirs}::uuid`, "organization B's widget survived").toHaveLength(1);
  app.kill();
  await app.exited;
  app = undefined;

  // 4. The generated tests and the completeness test pass in the copy (on this run's PostgreSQL)...
  const vitest = (files: string[]) =>
    copy.run('npx', ['vitest', 'run', ...files], { env: { TEST_DATABASE_URL: adminUrl(), REQUIRE_BROWSER: '0' }, allowFailure: true, timeoutMs: 480_000 });
  const green = await vitest(['test/resources/widget.test.ts', 'test/actions/archive-widget.test.ts', 'test/extending/completeness.test.ts']);
  expect(green.status, green.stdout + green.stderr).toBe(0);

  // 5. ...and go red, naming the piece, without the matrix row and without the policies.
  fs.writeFileSync(permissionsFile, fs.readFileSync(permissionsFile, 'utf8').replace(/^\s*'Widget',\n/m, '').replace(/^.*\bWidget: \{ ADMIN.*\n/m, ''));
  const migrationDir = fs.readdirSync(path.join(copy.dir, 'prisma/migrations')).find((d) => d.endsWith('_widgets'))!;
  const migrationFile = path.join(copy.dir, 'prisma/migrations', migrationDir, 'migration.sql');
  fs.writeFileSync(migrationFile, fs.readFileSync(migrationFile, 'utf8').replace(/CREATE POLICY[\s\S]*?\);\n/g, ''));
  const red = await vitest(['test/extending/completeness.test.ts']);
  expect(red.status).not.toBe(0);
  expect(red.stdout).toContain("Widget: no permission matrix row. Add 'Widget', to RESOURCES in src/domain/access/permissions.ts");
  expect(red.stdout).toContain('Widget: no row-level security policy on "widgets"');
}, 900_000);
