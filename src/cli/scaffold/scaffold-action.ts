import fs from 'node:fs';
import path from 'node:path';
import type { Datamodel } from '../../db/dmmf.js';
import { AppError } from '../../domain/shared/app-error.js';
import { actionNamesOf, namesOf } from './names.js';
import { applyEdit, editProblem, type RegistryEdit } from './registry-edit.js';
import { actionTestFile, adminActionFile, componentFile, domainFile, type ActionNames } from './action-templates.js';
import type { ScaffoldResult } from './scaffold-resource.js';
import type { ScaffoldTenancy } from './resource-migration.js';

export interface ScaffoldActionOptions {
  root: string;
  resource: string;
  name: string;
}

/** Reads TENANCY from src/domain/access/tenancy.ts as text (the generator runs on sources that may not compile yet). */
function tenancyOf(root: string, model: string): ScaffoldTenancy {
  const text = fs.readFileSync(path.join(root, 'src/domain/access/tenancy.ts'), 'utf8');
  const kind = new RegExp(`^\\s*${model}: '([a-z]+)'`, 'm').exec(text)?.[1];
  return kind === 'realm' ? 'realm' : kind === 'global' || kind === 'platform' ? 'global' : 'org';
}

/**
 * A custom record action on an existing resource: the domain function (zod
 * input, scope check, transaction, audit row), the thin admin action that
 * adapts it, a component stub, a test, and their registrations. Refuses,
 * writing nothing, when any of it exists.
 */
export function scaffoldAction(opts: ScaffoldActionOptions): ScaffoldResult {
  const { root } = opts;
  const file = path.join(root, 'src/generated/dmmf.json');
  if (!fs.existsSync(file)) throw new AppError('INVALID', 'src/generated/dmmf.json is missing: run `npm run generate` first');
  const datamodel = (JSON.parse(fs.readFileSync(file, 'utf8')) as { datamodel: Datamodel }).datamodel;
  const model = datamodel.models.find((m) => m.name === opts.resource);
  if (!model) throw new AppError('NOT_FOUND', `No model ${opts.resource}; name a resource by its Prisma model name (e.g. ApiKey)`);
  if (!/^[A-Za-z][A-Za-z0-9 _-]*$/.test(opts.name)) throw new AppError('INVALID', 'The action name takes letters, digits, spaces, - and _ (e.g. archive, "mark paid")');
  const res = namesOf(model.name);
  const act = actionNamesOf(opts.name);
  const n: ActionNames = {
    res,
    act,
    fn: `${act.camel}${res.model}`,
    audit: `${res.kebab}.${act.kebab}`,
    component: `Action${act.pascal}${res.model}`,
    folder: `${res.kebab}s`.replace(/ss$/, 'ses').replace(/ys$/, 'ies'),
  };
  const tenancy = tenancyOf(root, model.name);
  const enums = new Map(datamodel.enums.map((e) => [e.name, e.values.map((v) => v.name)]));
  const p = (f: string) => path.join(root, f);
  const files: Array<[string, string]> = [
    [p(`src/domain/${n.folder}/${act.kebab}-${res.kebab}.ts`), domainFile(model, n)],
    [p(`src/admin/actions/${act.kebab}-${res.kebab}.action.ts`), adminActionFile(n)],
    [p(`components/action-${act.kebab}-${res.kebab}.tsx`), componentFile(n)],
    [p(`test/actions/${act.kebab}-${res.kebab}.test.ts`), actionTestFile(model, n, tenancy, enums)],
  ];
  const key = `${res.model}.${act.camel}`;
  const edits: RegistryEdit[] = [
    {
      file: p('src/admin/actions/index.ts'),
      anchor: 'action-imports',
      lines: [`import { ${act.camel}${res.model}Action } from './${act.kebab}-${res.kebab}.action.js';`],
      exists: new RegExp(`\\b${act.camel}${res.model}Action\\b`),
    },
    {
      file: p('src/admin/actions/index.ts'),
      anchor: 'actions',
      lines: [`{ resource: '${res.model}', name: '${act.camel}', action: ${act.camel}${res.model}Action },`],
      exists: new RegExp(`resource: '${res.model}', name: '${act.camel}'`),
    },
    {
      file: p('src/admin/components.ts'),
      anchor: 'components',
      lines: [`${n.component}: add('${n.component}', 'action-${act.kebab}-${res.kebab}.tsx'),`],
      exists: new RegExp(`^\\s*${n.component}:`, 'm'),
    },
    {
      file: p('src/admin/actions/action-audits.ts'),
      anchor: 'action-audits',
      lines: [`'${key}': { records: ['${n.audit}'] },`],
      exists: new RegExp(`'${key.replace('.', '\\.')}':`),
    },
  ];
  const problems = [
    ...files.filter(([f]) => fs.existsSync(f)).map(([f]) => `${path.relative(root, f)} exists`),
    ...edits.map(editProblem).filter((x): x is string => !!x).map((x) => x.replace(`${root}/`, '')),
  ];
  if (problems.length) throw new AppError('CONFLICT', `Refusing to overwrite anything; nothing was written:\n  - ${[...new Set(problems)].join('\n  - ')}`);
  for (const [f, text] of files) {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  }
  for (const e of edits) applyEdit(e);
  return {
    written: files.map(([f]) => path.relative(root, f)),
    edited: [...new Set(edits.map((e) => path.relative(root, e.file)))],
    next: [
      `Write what the action changes in src/domain/${n.folder}/${act.kebab}-${res.kebab}.ts (the TODO), and its input in the zod schema there`,
      `The button shows for roles the matrix lets update ${res.model}; its audit rows read '${n.audit}'`,
      `Run: npx vitest run test/actions/${act.kebab}-${res.kebab}.test.ts test/extending/completeness.test.ts`,
      `An API route on the same function: see docs/extending.md, "An API route on the same domain function"`,
    ],
  };
}
