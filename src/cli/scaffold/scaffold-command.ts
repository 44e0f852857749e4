import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { isAppError } from '../../domain/shared/app-error.js';
import { scaffoldAction } from './scaffold-action.js';
import { scaffoldResource, TENANCIES, type ScaffoldResult } from './scaffold-resource.js';

/** The repository the generators write into: the one this file belongs to. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function report(r: ScaffoldResult): number {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('Wrote:');
  for (const f of r.written) out(`  + ${f}`);
  out('Added entries to:');
  for (const f of r.edited) out(`  ~ ${f}`);
  out('Next:');
  r.next.forEach((n, i) => out(`  ${i + 1}. ${n}`));
  return 0;
}

function run(fn: () => ScaffoldResult): void {
  try {
    process.exitCode = report(fn());
  } catch (e) {
    if (!isAppError(e)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  }
}

/** `realmgate scaffold resource|action`: generators for extending Realmgate (docs/extending.md). */
export function registerScaffold(program: Command): void {
  const scaffold = program.command('scaffold').description('generate a tenant-safe resource or a custom action (docs/extending.md)');
  scaffold
    .command('resource <Model>')
    .description('migration (table, RLS policies, grants), matrix row, screen, sidebar entry, labels and a test for a model already in prisma/schema.prisma')
    .addOption(new Option('--tenancy <kind>', 'whose rows the table holds').choices([...TENANCIES]).makeOptionMandatory())
    .option('--group <name>', 'sidebar group (default: Tenancy for org, Knowledge for realm, System for global)')
    .option('--migration <folder>', 'migration folder name (default: next number + table name)')
    .action((model: string, opts: { tenancy: (typeof TENANCIES)[number]; group?: string; migration?: string }) =>
      run(() => scaffoldResource({ root: ROOT, model, tenancy: opts.tenancy, group: opts.group, migration: opts.migration })),
    );
  scaffold
    .command('action <Resource> <name>')
    .description('a domain function (zod input, scope check, transaction, audit), its thin admin action, a component stub and a test')
    .action((resource: string, name: string) => run(() => scaffoldAction({ root: ROOT, resource, name })));
}
