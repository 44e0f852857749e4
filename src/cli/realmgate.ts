// npm run realmgate -- realms migrate [--dry-run] [--batch-size n] [--wait s] [--json]
//                      realms rollback [--run id] [--batch-size n] [--wait s]
//                      realms status [--json]
//                      keys issue|list|revoke|rotate, quota stats|reset, users create-superadmin|unlock|temporary-password (see api-commands.ts)
//                      quota reconcile [--fix] [--json]
//                      usage rebuild-rollups [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]
//                      usage retention | usage partitions
//                      scaffold resource <Model> --tenancy org|realm|global [--group g] [--migration folder]
//                      scaffold action <Resource> <name>
// Exit codes: 0 done, 1 error or stopped before the end (resume by running it again),
// 2 quota reconcile found differences it did not repair.
import os from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import type { PrismaClient } from '@prisma/client';
import { planRealmMigration } from '../domain/realms/plan-realm-migration.js';
import { REALM_KINDS } from '../domain/realms/realm-kinds.js';
import { realmMigrationStatus } from '../domain/realms/realm-migration-status.js';
import { rollbackRealmMigration } from '../domain/realms/rollback-realm-migration.js';
import { runRealmMigration } from '../domain/realms/run-realm-migration.js';
import type { Actor } from '../domain/shared/actor.js';
import { isAppError } from '../domain/shared/app-error.js';
import { CliError, openCliDatabase } from './cli-database.js';
import { rebuildUsageRollups } from '../domain/ledger/rebuild-usage-rollups.js';
import { applyRetention } from '../domain/ledger/apply-retention.js';
import { ensureUsagePartitions, listUsagePartitions } from '../domain/ledger/usage-partitions.js';
import { parseRetention } from '../config.js';
import { createProgressLine } from './progress-line.js';
import { formatPlan, formatStatus } from './realm-report.js';
import { formatReconcile } from './quota-report.js';
import { reconcileQuotas } from '../domain/quotas/reconcile-quotas.js';
import { registerScaffold } from './scaffold/scaffold-command.js';
import { registerApiCommands } from './api-commands.js';

const RESUME_HINT = 'Resume with: npm run realmgate -- realms migrate';

function operator(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The named system actor of this tool; it appears as such in the audit log. */
const actor: Actor = { kind: 'system', reason: `realmgate-cli realms (${operator()}@${os.hostname()})`.slice(0, 200) };

const positiveInt = (max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be an integer from 1 to ${max}`);
  return n;
};
const seconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 3600) throw new InvalidArgumentError('must be a number of seconds from 0 to 3600');
  return Math.round(n * 1000);
};

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** Ctrl-C (or SIGTERM) once: stop after the current batch. Twice: quit at once. */
function stopOnSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      err('Quitting now; the current batch is rolled back.');
      process.exit(1);
    }
    err('\nStopping after the current batch (Ctrl-C again to quit at once)...');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: controller.signal, dispose: () => (process.off('SIGINT', onSignal), process.off('SIGTERM', onSignal)) };
}

async function withDatabase(fn: (db: PrismaClient) => Promise<number>): Promise<void> {
  let cli: Awaited<ReturnType<typeof openCliDatabase>> | undefined;
  try {
    cli = await openCliDatabase();
    process.exitCode = await fn(cli.db);
  } catch (e) {
    if (isAppError(e) && e.code === 'CONFLICT' && /already running/.test(e.message)) err(`${e.message}: see \`realms status\`; wait for it, or pass --wait <seconds>.`);
    else if (e instanceof CliError || isAppError(e)) err(e.message);
    else err(`Error: ${(e as Error)?.stack ?? e}`);
    process.exitCode = 1;
  } finally {
    if (cli) await closeWithin(cli, CLOSE_MS);
  }
}

const CLOSE_MS = 10_000;

/**
 * Closes the database, but never lingers: the command's work is done and
 * reported, so a connection that will not close (a server gone quiet, a pool
 * still waiting on a lost query) ends the process rather than hangs it.
 */
async function closeWithin(cli: { close(): Promise<void> }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)));
  const closed = await Promise.race([cli.close().then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (closed === 'late') {
    err(`The database connections did not close within ${ms / 1000} s; exiting anyway.`);
    process.exit(process.exitCode ?? 1);
  }
}

async function migrate(db: PrismaClient, opts: { dryRun?: boolean; batchSize: number; wait: number; json?: boolean }): Promise<number> {
  if (opts.dryRun) {
    const plan = await planRealmMigration(db, actor);
    out(opts.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
    return 0;
  }
  const { signal, dispose } = stopOnSignal();
  const progress = createProgressLine(process.stdout);
  let announced = false;
  try {
    out(`Realm migration: default realms first, then rows in batches of ${opts.batchSize}.`);
    const r = await runRealmMigration(db, actor, {
      batchSize: opts.batchSize,
      lockWaitMs: opts.wait,
      signal,
      onProgress: (p) => {
        if (p.phase !== 'rows') return;
        if (!announced) progress.note(`Run ${p.runId}: ${p.realmsCreated} default realm(s) created so far; moving rows.`);
        announced = true;
        progress.update(p.rowsDone, p.rowsTotal);
      },
    });
    progress.finish();
    if (opts.json) out(JSON.stringify(r, null, 2));
    if (r.status === 'STOPPED') {
      err(`Stopped after ${r.rowsDone} of ${r.rowsTotal} rows (run ${r.runId}). ${RESUME_HINT}`);
      return 1;
    }
    if (!opts.json) {
      out(`${r.resumed ? 'Resumed and completed' : 'Completed'} run ${r.runId}: ${r.rowsDone}/${r.rowsTotal} rows in all.`);
      out(`This time: moved ${r.rowsMoved} rows (${REALM_KINDS.map((k) => `${r.movedByKind[k.kind]} ${k.label}`).join(', ')}), created ${r.realmsCreated} default realm(s).`);
      if (r.renamedKnowledgeBases) out(`${r.renamedKnowledgeBases} knowledge base(s) got a " #<id>" suffix: their name was taken in the target realm (a rollback restores it).`);
    }
    if (r.rowsLeftWithoutRealm) err(`${r.rowsLeftWithoutRealm} row(s) could not move and still have no realm; see why with: npm run realmgate -- realms migrate --dry-run`);
    return 0;
  } finally {
    progress.finish();
    dispose();
  }
}

async function rollback(db: PrismaClient, opts: { run?: string; batchSize: number; wait: number; json?: boolean }): Promise<number> {
  const { signal, dispose } = stopOnSignal();
  const progress = createProgressLine(process.stdout);
  try {
    const r = await rollbackRealmMigration(db, actor, {
      runId: opts.run,
      batchSize: opts.batchSize,
      lockWaitMs: opts.wait,
      signal,
      onProgress: (p) => {
        if (p.phase === 'rows') progress.update(p.done, p.total);
      },
    });
    progress.finish();
    if (opts.json) out(JSON.stringify(r, null, 2));
    else if (!r.runs.length) out('Nothing to roll back.');
    for (const run of opts.json ? [] : r.runs) {
      out(`Run ${run.runId}: ${run.rowsReverted} row(s) back to no realm, ${run.realmsDeleted} default realm(s) removed.`);
      if (run.rowsKept.length) out(`  ${run.rowsKept.length} row(s) were moved to another realm since and stay there: ${run.rowsKept.slice(0, 10).map((k) => `${k.kind}:${k.rowId}`).join(', ')}${run.rowsKept.length > 10 ? ', ...' : ''}`);
      if (run.rowsGone) out(`  ${run.rowsGone} journaled row(s) no longer exist.`);
      if (run.realmsKept.length) out(`  ${run.realmsKept.length} default realm(s) hold data created since and were kept: ${run.realmsKept.slice(0, 10).join(', ')}`);
    }
    if (r.status === 'STOPPED') {
      err('Stopped before the end. Resume with: npm run realmgate -- realms rollback');
      return 1;
    }
    return 0;
  } finally {
    progress.finish();
    dispose();
  }
}

const program = new Command('realmgate').description('Realmgate maintenance commands').showHelpAfterError();
const realms = program.command('realms').description('realms and the realm migration');

realms
  .command('migrate')
  .description('give every user a default realm and move rows without a realm into it')
  .option('--dry-run', 'only report what would move, per user and kind')
  .option('--batch-size <n>', 'rows per transaction', positiveInt(50_000), 1000)
  .option('--wait <seconds>', 'wait this long for a running migration instead of failing', seconds, 0)
  .option('--json', 'print the result as JSON')
  .action((opts) => withDatabase((db) => migrate(db, opts)));

realms
  .command('rollback')
  .description('return migrated rows to no realm and remove the empty default realms a run created')
  .option('--run <id>', 'only this run (default: every run not rolled back)')
  .option('--batch-size <n>', 'rows per transaction', positiveInt(50_000), 1000)
  .option('--wait <seconds>', 'wait this long for a running migration instead of failing', seconds, 0)
  .option('--json', 'print the result as JSON')
  .action((opts) => withDatabase((db) => rollback(db, opts)));

realms
  .command('status')
  .description('progress of the latest runs and rows still without a realm')
  .option('--json', 'print as JSON')
  .action((opts: { json?: boolean }) =>
    withDatabase(async (db) => {
      const s = await realmMigrationStatus(db, actor);
      out(opts.json ? JSON.stringify(s, null, 2) : formatStatus(s));
      return 0;
    }),
  );

const quota = program.command('quota').description('quota counters');

quota
  .command('reconcile')
  .description('compare every quota counter with the usage ledger for its period; --fix sets differing counters to the ledger (audited)')
  .option('--fix', 'repair the differences found')
  .option('--json', 'print the result as JSON')
  .action((opts: { fix?: boolean; json?: boolean }) =>
    withDatabase(async (db) => {
      const quotaActor: Actor = { kind: 'system', reason: `realmgate-cli quota (${operator()}@${os.hostname()})`.slice(0, 200) };
      const r = await reconcileQuotas(db, quotaActor, { fix: !!opts.fix });
      out(opts.json ? JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) : formatReconcile(r, !!opts.fix));
      return r.differences.length && !opts.fix ? 2 : 0;
    }),
  );

const usage = program.command('usage').description('the usage ledger: rollups, partitions, retention');
const dateArg = (v: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new InvalidArgumentError('must be a date, YYYY-MM-DD');
  return new Date(`${v}T00:00:00Z`);
};
const usageActor: Actor = { kind: 'system', reason: `realmgate-cli usage (${operator()}@${os.hostname()})`.slice(0, 200) };

usage
  .command('rebuild-rollups')
  .description('recompute daily rollups from the ledger for [--from, --to] (UTC days; default: every kept day up to today)')
  .option('--from <date>', 'first day, YYYY-MM-DD', dateArg)
  .option('--to <date>', 'last day, YYYY-MM-DD', dateArg)
  .option('--json', 'print the result as JSON')
  .action((opts: { from?: Date; to?: Date; json?: boolean }) =>
    withDatabase(async (db) => {
      const r = await rebuildUsageRollups(db, usageActor, { from: opts.from, to: opts.to });
      if (opts.json) out(JSON.stringify(r, null, 2));
      else {
        if (r.clampedFrom) out(`Ledger kept from ${r.clampedFrom} only (retention): older rollups left as they are.`);
        out(`Rebuilt ${r.days} day(s) from ${r.from} to ${r.to}: ${r.rollupRows} rollup row(s).`);
      }
      return 0;
    }),
  );

usage
  .command('retention')
  .description('drop ledger partitions older than USAGE_RETENTION_MONTHS and blank chat text older than CHAT_CONTENT_RETENTION_DAYS')
  .action(() =>
    withDatabase(async (db) => {
      const settings = parseRetention(process.env);
      await ensureUsagePartitions(db, usageActor);
      const r = await applyRetention(db, usageActor, settings);
      out(`Dropped ${r.droppedPartitions.length} ledger partition(s)${r.droppedPartitions.length ? ` (${r.droppedPartitions.join(', ')})` : ''}; blanked ${r.blankedMessages} chat message text(s).`);
      return 0;
    }),
  );

usage
  .command('partitions')
  .description('create the coming months\' ledger partitions and list them')
  .action(() =>
    withDatabase(async (db) => {
      const created = await ensureUsagePartitions(db, usageActor);
      const parts = await listUsagePartitions(db);
      out(`${created} partition(s) created; ${parts.length} in all:`);
      for (const p of parts) out(`  ${p.name}  ${p.from.toISOString().slice(0, 10)} .. ${p.to.toISOString().slice(0, 10)}`);
      return 0;
    }),
  );
registerScaffold(program);
registerApiCommands(program, withDatabase);

await program.parseAsync(process.argv);
