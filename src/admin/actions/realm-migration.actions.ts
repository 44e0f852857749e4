import type { ActionContext } from 'adminjs';
import type { AppDeps } from '../../app.js';
import { withTenant, tenantFromActor } from '../../db/tenant-context.js';
import { planRealmMigration } from '../../domain/realms/plan-realm-migration.js';
import { REALM_KINDS } from '../../domain/realms/realm-kinds.js';
import { requireMigrationActor } from '../../domain/realms/realm-migration-access.js';
import { realmMigrationStatus } from '../../domain/realms/realm-migration-status.js';
import { rollbackRealmMigration } from '../../domain/realms/rollback-realm-migration.js';
import { runRealmMigration, runRealmMigrationInput } from '../../domain/realms/run-realm-migration.js';
import { AppError, isAppError } from '../../domain/shared/app-error.js';
import { parseInput } from '../../domain/shared/parse-input.js';
import type { UserActor } from '../access/admin-request.js';
import { Components } from '../components.js';
import { GENERIC_FAILURE, actorIn, adapt, customAction, int, text } from './action-kit.js';

/** A migration or rollback this process started from the panel; the page polls it (the run row has the durable progress). */
interface Job {
  kind: 'migrate' | 'rollback';
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  runId: string | null;
  done: number;
  total: number;
  phase: string | null;
  error: string | null;
  summary: string | null;
}

const mayMigrate = (actor: UserActor | null): boolean => {
  if (!actor) return false;
  try {
    requireMigrationActor(actor);
    return true;
  } catch {
    return false;
  }
};

/**
 * RealmMigrationRun: "Migrate data into realms" (dry-run plan, then a run in
 * the background whose progress the page polls) and "Roll back" for a run.
 */
export function realmMigrationActions(deps: AppDeps) {
  // Per app instance. Another instance's run shows through realmMigrationStatus (`live`: the lock is held).
  let job: Job | null = null;

  /** Starts `work` without awaiting it: the request answers at once, the page polls. Errors are logged and kept for the page. */
  function start(actor: UserActor, kind: Job['kind'], work: (j: Job) => Promise<string>): Job {
    if (job?.state === 'running') throw new AppError('CONFLICT', `A realm ${job.kind === 'migrate' ? 'migration' : 'rollback'} started here is still running`);
    const current: Job = { kind, state: 'running', startedAt: new Date().toISOString(), runId: null, done: 0, total: 0, phase: null, error: null, summary: null };
    job = current;
    // Queries run as the admin's tenant whatever becomes of the request's context.
    void withTenant(tenantFromActor(actor), () => work(current)).then(
      (summary) => Object.assign(current, { state: 'done', summary }),
      (e: unknown) => {
        if (!isAppError(e)) deps.log.error({ err: e, kind }, 'realm migration job failed');
        Object.assign(current, { state: 'failed', error: isAppError(e) ? e.message : GENERIC_FAILURE });
      },
    );
    return current;
  }

  const statusOf = async (actor: UserActor) => ({ status: await realmMigrationStatus(deps.db, actor, { limit: 5 }), job, kinds: REALM_KINDS });

  return {
    migrateDataIntoRealms: customAction('RealmMigrationRun', 'read', {
      actionType: 'resource',
      icon: 'Shuffle',
      component: Components.ActionRealmMigration,
      isAccessible: (context: ActionContext) => mayMigrate(actorIn(context)),
      handler: adapt(deps.log, 'RealmMigrationRun.migrate', async ({ actor, request, payload, isPost }) => {
        if (!isPost) {
          // The page polls ?view=status every second: no dry run then (it reads every realm-scoped table).
          if (request.query?.view === 'status') return statusOf(actor);
          return { plan: await planRealmMigration(deps.db, actor), ...(await statusOf(actor)) };
        }
        requireMigrationActor(actor);
        const { batchSize } = parseInput(runRealmMigrationInput, { batchSize: int(payload.batchSize) });
        start(actor, 'migrate', async (j) => {
          const r = await runRealmMigration(deps.db, actor, {
            batchSize,
            onProgress: (p) => void Object.assign(j, { runId: p.runId, done: p.rowsDone, total: p.rowsTotal, phase: p.phase }),
          });
          Object.assign(j, { runId: r.runId, done: r.rowsDone, total: r.rowsTotal });
          const left = r.rowsLeftWithoutRealm ? `; ${r.rowsLeftWithoutRealm} rows cannot move (see the dry run)` : '';
          return `Moved ${r.rowsMoved} rows and created ${r.realmsCreated} default realms${left}`;
        });
        return { ...(await statusOf(actor)), notice: { message: 'Realm migration started', type: 'success' } };
      }),
    }),

    rollBack: customAction('RealmMigrationRun', 'read', {
      actionType: 'record',
      icon: 'RotateCcw',
      variant: 'danger',
      component: Components.ActionConfirm,
      custom: {
        question: 'Roll back this migration run?',
        detail: 'Rows it moved go back to having no realm (rows someone moved since stay where they are), and the default realms it created are removed when empty. No data is deleted. Progress shows on the migration page.',
        button: 'Roll back',
        danger: true,
      },
      isAccessible: (context: ActionContext) => mayMigrate(actorIn(context)),
      isVisible: (context: ActionContext) => context.record?.params?.status !== 'ROLLED_BACK',
      handler: adapt(deps.log, 'RealmMigrationRun.rollback', async ({ actor, context, payload, isPost }) => {
        if (!isPost) return {};
        requireMigrationActor(actor);
        const runId = String(context.record!.id());
        if (context.record!.params.status === 'ROLLED_BACK') throw new AppError('CONFLICT', 'This run was already rolled back');
        const batchSize = int(text(payload.batchSize)) ?? 1000;
        start(actor, 'rollback', async (j) => {
          j.runId = runId;
          const r = await rollbackRealmMigration(deps.db, actor, { runId, batchSize, onProgress: (p) => void Object.assign(j, { done: p.done, total: p.total, phase: p.phase }) });
          const reverted = r.runs.reduce((a, x) => a + x.rowsReverted, 0);
          const realms = r.runs.reduce((a, x) => a + x.realmsDeleted, 0);
          return `Returned ${reverted} rows to no realm and removed ${realms} empty default realms`;
        });
        return {
          redirectUrl: context.h.resourceActionUrl({ resourceId: 'RealmMigrationRun', actionName: 'migrateDataIntoRealms' }),
          notice: { message: 'Rollback started', type: 'success' },
        };
      }),
    }),
  };
}
