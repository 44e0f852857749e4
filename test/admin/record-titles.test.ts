import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '@prisma/client';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { seedDemo } from '../../src/domain/seed/seed-demo.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';
import { COMPUTED_TITLES } from '../../src/admin/record-titles.js';

/**
 * Realms (and model access rows, user model limits) are called by a title
 * made of more than one record: "Default · bob.user@acme.example". A page of
 * rows gets its titles with one query per related table, never one per row.
 */
let t: AppDatabase;

beforeAll(async () => {
  t = await appDatabase('record_titles');
  await seedDemo(t.app, SYSTEM_ACTOR, { adminEmail: 'admin@titles.local', adminPassword: 'titles-admin-password', demoPassword: 'titles-demo-password', withDemoData: true });
});
afterAll(async () => {
  await t?.drop();
});

/** The database client with a count of the queries it sends. */
function counting(db: PrismaClient): { client: PrismaClient; queries: () => number } {
  let n = 0;
  const client = db.$extends({
    query: {
      async $allOperations({ args, query }) {
        n += 1;
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  return { client, queries: () => n };
}

describe('computed record titles', () => {
  it('names every realm with its owner, in one query for the whole page', async () => {
    const realms = await t.db.realm.findMany();
    expect(realms.length).toBeGreaterThan(10);
    const { client, queries } = counting(t.db);
    const titles = await COMPUTED_TITLES.Realm!.load(client, realms);
    expect(queries()).toBe(1);
    expect(titles.size).toBe(realms.length);
    const bobs = realms.find((r) => r.name === 'Default' && titles.get(r.id)?.endsWith('bob.user@acme.example'));
    expect(titles.get(bobs!.id)).toBe('Default · bob.user@acme.example');
    for (const title of titles.values()) expect(title).toMatch(/^.+ · \S+@\S+$/);
  });

  it('names model access rows "organization / model" and user limits "email / model", one query per related table', async () => {
    const access = await t.db.organizationModelAccess.findMany();
    const one = counting(t.db);
    const accessTitles = await COMPUTED_TITLES.OrganizationModelAccess!.load(one.client, access);
    expect(one.queries()).toBe(2);
    const acme = await t.db.organization.findFirstOrThrow({ where: { name: 'Acme Marketing' } });
    const row = access.find((a) => a.organizationId === acme.id)!;
    const model = await t.db.aiModel.findUniqueOrThrow({ where: { id: row.modelId } });
    expect(accessTitles.get(row.id)).toBe(`Acme Marketing / ${model.name}`);

    const limits = await t.db.userModelLimit.findMany();
    expect(limits.length).toBeGreaterThan(0);
    const two = counting(t.db);
    const limitTitles = await COMPUTED_TITLES.UserModelLimit!.load(two.client, limits);
    expect(two.queries()).toBe(2);
    for (const title of limitTitles.values()) expect(title).toMatch(/^\S+@\S+ \/ .+$/);
  });

  it('finds realms by what is typed into a reference select: name, owner, or both', async () => {
    const search = (text: string) => t.db.realm.findMany({ where: COMPUTED_TITLES.Realm!.search(text), include: { owner: true } });
    const byOwner = await search('bob.user');
    expect(byOwner.map((r) => `${r.name} · ${r.owner.email}`)).toEqual(['Default · bob.user@acme.example']);
    expect((await search('Default · bob.user@acme')).length).toBe(1);
    expect((await search('client campaigns')).map((r) => r.name)).toEqual(['Client Campaigns']);
  });
});
