import type { ActionContext } from 'adminjs';
import type { UserRole } from '@prisma/client';
import type { AppDeps } from '../../app.js';
import { ASSIGNABLE_ROLES } from '../../domain/access/permissions.js';
import { endUserSessions } from '../../domain/users/end-user-sessions.js';
import { lockUser } from '../../domain/users/lock-user.js';
import { setTemporaryPassword } from '../../domain/users/set-temporary-password.js';
import { unlockUser } from '../../domain/users/unlock-user.js';
import { Components } from '../components.js';
import { actorIn, adapt, allows, customAction, plural, writes, type ActionInput } from './action-kit.js';
import { generateKeyAction } from './generate-key.action.js';
import { quotaStatsAction, resetQuotasAction } from './quota-actions.js';
import { mayResetQuotas } from '../../domain/quotas/quota-subject.js';

/** Roles that may manage users' status or password at all (the domain's loadManageableUser decides per user). */
function mayManage(context: ActionContext, field: 'status' | 'password'): boolean {
  const actor = actorIn(context);
  return allows(actor, 'User', 'update') && writes(actor, 'User', field);
}

/** Buttons shown on another user of a role the actor could assign, in `status` when given. */
function shownFor(context: ActionContext, status?: string): boolean {
  const actor = actorIn(context);
  const p = context.record?.params ?? {};
  if (!actor || p.id === actor.userId || (status && p.status !== status)) return false;
  return !p.role || ASSIGNABLE_ROLES[actor.role].includes(p.role as UserRole);
}

// Grouped in one dropdown on the user's page: the header has room for a few buttons only.
const ACCOUNT = 'Account';

const userId = ({ context }: ActionInput) => String(context.record!.id());
const showUrl = ({ context }: ActionInput) => context.h.recordActionUrl({ resourceId: 'User', recordId: String(context.record!.id()), actionName: 'show' });
const sessions = (n: number) => (n ? `; ${plural(n, 'session')} ended` : '');

/** User: lock, unlock, temporary password, end sessions, reset model limits, quota stats, generate key. */
export function userActions(deps: AppDeps) {
  return {
    lock: customAction('User', 'update', {
      actionType: 'record',
      parent: ACCOUNT,
      icon: 'Lock',
      variant: 'danger',
      component: Components.ActionConfirm,
      custom: {
        question: 'Lock this user?',
        detail: 'They are signed out everywhere at once and cannot sign in until someone unlocks them. Their API keys keep working; revoke them separately if needed.',
        button: 'Lock user',
        danger: true,
      },
      isAccessible: (context: ActionContext) => mayManage(context, 'status'),
      isVisible: (context: ActionContext) => shownFor(context, 'ACTIVE'),
      handler: adapt(deps.log, 'User.lock', async (input) => {
        if (!input.isPost) return {};
        const { sessionsEnded } = await lockUser(deps.db, input.actor, { userId: userId(input) }, input.meta);
        return { redirectUrl: showUrl(input), notice: { message: `User locked${sessions(sessionsEnded)}`, type: 'success' } };
      }),
    }),

    unlock: customAction('User', 'update', {
      actionType: 'record',
      parent: ACCOUNT,
      icon: 'Unlock',
      component: Components.ActionConfirm,
      custom: { question: 'Unlock this user?', detail: 'They can sign in again; their failed sign-in attempts are forgotten.', button: 'Unlock user' },
      isAccessible: (context: ActionContext) => mayManage(context, 'status'),
      isVisible: (context: ActionContext) => shownFor(context, 'LOCKED'),
      handler: adapt(deps.log, 'User.unlock', async (input) => {
        if (!input.isPost) return {};
        await unlockUser(deps.db, input.actor, { userId: userId(input) }, input.meta);
        return { redirectUrl: showUrl(input), notice: { message: 'User unlocked', type: 'success' } };
      }),
    }),

    setTemporaryPassword: customAction('User', 'update', {
      actionType: 'record',
      parent: ACCOUNT,
      icon: 'Key',
      component: Components.ActionTemporaryPassword,
      isAccessible: (context: ActionContext) => mayManage(context, 'password'),
      isVisible: (context: ActionContext) => shownFor(context),
      handler: adapt(deps.log, 'User.temporaryPassword', async (input) => {
        if (!input.isPost) return {};
        const { password, sessionsEnded } = await setTemporaryPassword(deps.db, input.actor, { userId: userId(input) }, input.meta);
        return { secretOnce: password, notice: { message: `Temporary password set${sessions(sessionsEnded)}`, type: 'success' } };
      }),
    }),

    endAllSessions: customAction('User', 'read', {
      actionType: 'record',
      parent: ACCOUNT,
      icon: 'LogOut',
      component: Components.ActionConfirm,
      custom: { question: 'End all sessions of this user?', detail: 'They are signed out of the admin panel everywhere and must sign in again.', button: 'End sessions', danger: true },
      isAccessible: (context: ActionContext) => allows(actorIn(context), 'Session', 'delete'),
      handler: adapt(deps.log, 'User.endSessions', async (input) => {
        if (!input.isPost) return {};
        const { sessionsEnded } = await endUserSessions(deps.db, input.actor, { userId: userId(input) }, input.meta);
        return { redirectUrl: showUrl(input), notice: { message: sessionsEnded ? `${plural(sessionsEnded, 'session')} ended` : 'This user had no open session', type: 'success' } };
      }),
    }),

    resetModelLimits: resetQuotasAction(deps, 'User', 'USER', 'record', 'Reset model limits', (actor) => mayResetQuotas(actor, 'USER')),
    quotaStats: quotaStatsAction(deps, 'User', 'USER'),
    generateKey: generateKeyAction(deps, 'User'),
  };
}
