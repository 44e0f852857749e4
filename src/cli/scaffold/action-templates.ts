import type { Model } from '../../db/dmmf.js';
import type { Names } from './names.js';
import { fixtureOf } from './resource-templates.js';
import type { ScaffoldTenancy } from './resource-migration.js';

export interface ActionNames {
  res: Names;
  act: { camel: string; kebab: string; pascal: string; label: string };
  /** archiveWidget */
  fn: string;
  /** widget.archive */
  audit: string;
  /** ActionArchiveWidget */
  component: string;
  /** src/domain/<folder> */
  folder: string;
}

export function domainFile(model: Model, n: ActionNames): string {
  const hasOrg = model.fields.some((f) => f.name === 'organizationId');
  const idKey = `${n.res.camel}Id`;
  return `import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { requireScope } from '../access/scope.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';

export const ${n.fn}Input = z.object({
  ${idKey}: z.string().uuid(),
  // The action's own fields, validated here for the panel and the API alike, e.g.
  // reason: z.string().trim().min(3).max(500),
});
export type ${n.act.pascal}${n.res.model}Input = z.input<typeof ${n.fn}Input>;

/**
 * ${n.act.label} a ${n.res.model}: only one the actor may update (the permission matrix's
 * update scope; "not yours" reads as not found), in one transaction with its audit row.
 */
export async function ${n.fn}(db: PrismaClient, actor: Actor, rawInput: ${n.act.pascal}${n.res.model}Input, meta: RequestMeta = {}) {
  const input = parseInput(${n.fn}Input, rawInput);
  const scope = requireScope(actor, '${n.res.model}', 'update');
  return inActorTransaction(db, actor, async (tx) => {
    const before = await tx.${n.res.camel}.findFirst({ where: { AND: [{ id: input.${idKey} }, scope] } });
    if (!before) throw new AppError('NOT_FOUND', '${n.res.model} not found');
    // TODO: what "${n.act.label.toLowerCase()}" changes. Change counters with one conditional
    // update (updateMany with the expected state in its where), never read-then-write.
    const after = await tx.${n.res.camel}.update({ where: { id: before.id }, data: {} });
    await recordAudit(tx, actor, { action: '${n.audit}', resource: '${n.res.model}', recordId: before.id, organizationId: ${hasOrg ? 'before.organizationId' : 'null'}, before, after }, meta);
    return { ${n.res.camel}: after };
  });
}
`;
}

export function adminActionFile(n: ActionNames): string {
  return `import type { AppDeps } from '../../app.js';
import { ${n.fn} } from '../../domain/${n.folder}/${n.act.kebab}-${n.res.kebab}.js';
import { Components } from '../components.js';
import { adapt, customAction } from './action-kit.js';

/** "${n.act.label}" on a ${n.res.model}: adapts the panel's request to ${n.fn}, which checks scope and writes the audit row. */
export function ${n.act.camel}${n.res.model}Action(deps: AppDeps) {
  return customAction('${n.res.model}', 'update', {
    actionType: 'record',
    icon: 'Zap',
    component: Components.${n.component},
    custom: { question: '${n.act.label} this ${n.res.label.toLowerCase().replace(/s$/, '')}?', button: '${n.act.label}' },
    handler: adapt(deps.log, '${n.res.model}.${n.act.camel}', async ({ actor, context, isPost, meta }) => {
      if (!isPost) return {};
      await ${n.fn}(deps.db, actor, { ${n.res.camel}Id: String(context.record!.id()) }, meta);
      return {
        redirectUrl: context.h.recordActionUrl({ resourceId: '${n.res.model}', recordId: String(context.record!.id()), actionName: 'show' }),
        notice: { message: '${n.act.label}: done', type: 'success' },
      };
    }),
  });
}
`;
}

export function componentFile(n: ActionNames): string {
  return `import React, { useState } from 'react';
import { useNavigate } from 'react-router';
import { Box, Button, H4, Icon } from '@adminjs/design-system';
import { useNotice, type ActionProps } from 'adminjs';
import { ErrorLine, failureOf, recordCall, withRefresh } from './action-ui.js';

/**
 * "${n.act.label}" on a ${n.res.model}: asks, then POSTs the action (changes go by POST;
 * the server's domain function decides). Add the action's own inputs here and send
 * them in recordCall's data; validate them in the domain function's zod schema.
 */
const ${n.component}: React.FC<ActionProps> = ({ action, resource, record }) => {
  const text = (action.custom ?? {}) as { question?: string; button?: string };
  const addNotice = useNotice();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const data = await recordCall(resource.id, String(record!.id), action.name, { confirm: 'yes' });
      if (data.notice) addNotice(data.notice);
      if (data.notice?.type === 'error') setError(data.notice.message);
      else if (data.redirectUrl) navigate(withRefresh(data.redirectUrl));
    } catch (e) {
      setError(failureOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="white" p="xl" data-testid="action-${n.act.kebab}-${n.res.kebab}">
      <H4 mb="lg">{text.question ?? 'Are you sure?'}</H4>
      <ErrorLine message={error} />
      <Button type="button" variant="contained" disabled={busy} onClick={run}>
        {busy ? <Icon icon="Loader" spin /> : null}
        {text.button ?? 'Confirm'}
      </Button>
    </Box>
  );
};

export default ${n.component};
`;
}

export function actionTestFile(model: Model, n: ActionNames, tenancy: ScaffoldTenancy, enums: Map<string, string[]>): string {
  const { data, owned, todo } = fixtureOf(model, tenancy, enums);
  return `import crypto from 'node:crypto';
import type { UserRole } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeWhere, scopeAdmits } from '../../src/domain/access/scope.js';
import { ${n.fn} } from '../../src/domain/${n.folder}/${n.act.kebab}-${n.res.kebab}.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createWorld, personOf, ${tenancy === 'realm' ? 'realmOf, ' : ''}type Person, type World } from '../support/admin-fixtures.js';
import { actorFor } from '../support/factories.js';

/**
 * ${n.fn} as each role: it changes a ${n.res.model} exactly when the permission
 * matrix lets the role update that row, writes one '${n.audit}' audit row when it
 * does, and answers NOT_FOUND (changing nothing) for another organization's row.
 * Generated by \`realmgate scaffold action\`; add the action's own rules below.
 */
const ROLES: UserRole[] = ['SUPERADMIN', 'ADMIN', 'USER', 'VIEWER'];
let t: AppDatabase;
let world: World;

${todo.length ? `// TODO: fill in the required ${todo.join(', ')} below: the generator cannot guess them.\n` : ''}async function makeRow(owner: Person): Promise<Record<string, any>> {
  const db = t.db;
  const mark = crypto.randomBytes(4).toString('hex');
  return db.${n.res.camel}.create({ data: { ${[...owned, ...data].join(', ')} } });
}

const audits = (recordId: string) => t.db.auditLog.count({ where: { action: '${n.audit}', recordId } });

beforeAll(async () => {
  t = await appDatabase('${n.act.kebab}_${n.res.kebab}'.replace(/-/g, '_'));
  world = await createWorld(t.db);
});
afterAll(async () => {
  await t?.drop();
});

describe.each(ROLES)('%s', (role) => {
  it('acts on a row in its update scope, with one audit row; otherwise NOT_FOUND and no change', async () => {
    const actor = await actorFor(t.db, personOf(world, role));
    for (const owner of [personOf(world, role).organizationId ? personOf(world, role) : world.user, world.userB]) {
      const row = await makeRow(owner);
      const allowed = scopeAdmits(scopeWhere(actor, '${n.res.model}', 'update'), row);
      const run = ${n.fn}(t.app, actor, { ${n.res.camel}Id: row.id });
      if (allowed) {
        await run;
        expect(await audits(row.id)).toBe(1);
      } else {
        await expect(run).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(await audits(row.id)).toBe(0);
      }
      if (owner === world.userB && role !== 'SUPERADMIN') expect(allowed, 'another organization\\'s row').toBe(false);
    }
  });
});

it('refuses bad input with INVALID', async () => {
  const actor = await actorFor(t.db, world.superadmin);
  await expect(${n.fn}(t.app, actor, { ${n.res.camel}Id: 'not-a-uuid' })).rejects.toMatchObject({ code: 'INVALID' });
});
`;
}
