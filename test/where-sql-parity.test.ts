import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrganizationType, PricingPlan } from '@prisma/client';
import { freshDatabase, type TestDatabase } from './setup/test-database.js';
import { createOrg, createUser, createModel } from './support/factories.js';
import { PLAN_ORDER, scopeWhere } from '../src/domain/access/scope.js';
import { modelSql } from '../src/db/model-sql.js';
import { whereSql } from '../src/db/where-sql.js';
import type { Actor } from '../src/domain/shared/actor.js';

/**
 * whereSql against Prisma on the same rows: an org admin's model scope (an OR
 * of the org's own models and the system models its type and plan may use),
 * which the ledger lists' reference titles now read as SQL, selects exactly
 * the models Prisma's `findMany` selects, for every type and plan.
 */
let t: TestDatabase;
let orgId: string;
let adminId: string;
const TYPES: OrganizationType[] = ['GENERAL', 'MARKETING', 'FINANCE'];

beforeAll(async () => {
  t = await freshDatabase('where_sql_parity');
  const org = await createOrg(t.db);
  const other = await createOrg(t.db);
  orgId = org.id;
  adminId = (await createUser(t.db, org, 'ADMIN')).id;
  await createModel(t.db, { organizationId: org.id });
  await createModel(t.db, { organizationId: org.id, isActive: false });
  await createModel(t.db, { organizationId: other.id });
  // System models over every plan, with no type list, one type, two types; and inactive ones.
  for (const requiredPlan of PLAN_ORDER)
    for (const organizationTypes of [[], ['GENERAL'], ['MARKETING', 'FINANCE']] as OrganizationType[][])
      for (const isActive of [true, false]) await createModel(t.db, { organizationId: null, requiredPlan, organizationTypes, isActive });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe('whereSql selects what Prisma selects', () => {
  it("for an org admin's model scope, every organization type and plan", async () => {
    const { table, columns } = modelSql('AiModel');
    for (const type of TYPES)
      for (const pricingPlan of PLAN_ORDER as PricingPlan[]) {
        const actor: Actor = { kind: 'user', userId: adminId, organizationId: orgId, role: 'ADMIN', email: 'a@x.example', org: { type, pricingPlan } };
        const where = scopeWhere(actor, 'AiModel', 'read')!;
        const byPrisma = (await t.db.aiModel.findMany({ where, select: { id: true } })).map((m) => m.id).sort();
        const values: unknown[] = [];
        const sql = `SELECT "id"::text AS id FROM "${table}" WHERE ${whereSql(where, columns, values)}`;
        const bySql = (await t.db.$queryRawUnsafe<{ id: string }[]>(sql, ...values)).map((m) => m.id).sort();
        expect(bySql, `${type} ${pricingPlan}`).toEqual(byPrisma);
        expect(byPrisma.length).toBeGreaterThan(1);
      }
  });
});
