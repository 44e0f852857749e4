import type { ActionResponse, RecordJSON } from 'adminjs';
import type { PrismaClient } from '@prisma/client';
import { describeUserAgent } from '../../domain/auth/describe-user-agent.js';
import type { AfterHook, ResourceFactory } from './resource-spec.js';

/**
 * "Active sessions" (connect-pg-simple's table). Who is signed in, since when,
 * from where, until when. The session JSON never leaves the server: it is not
 * a property at all (prisma-resource.ts drops secret fields), and this screen
 * adds what people need from it (sign-in time) plus the user's email and
 * organization name as read-only virtual fields. The rows come scoped by the
 * permission matrix (superadmins all, an org ADMIN their organization's,
 * everyone their own) and by row-level security; "End session" is delete,
 * allowed by the same matrix. An ended session is gone from the store, so its
 * browser is sent to the login page on its next request.
 */
export const sessionResource: ResourceFactory = ({ db }) => {
  const enrich = enrichSessions(db);
  return {
    options: {
      listProperties: ['userEmail', 'organizationName', 'ip', 'browser', 'signedInAt', 'expire'],
      showProperties: ['userEmail', 'organizationName', 'ip', 'browser', 'userAgent', 'signedInAt', 'expire', 'userId', 'organizationId'],
      filterProperties: ['ip', 'userAgent', 'expire'],
      // The session id is a secret of its own, not a name: the page is titled by its user (or "Active session").
      titleProperty: 'userEmail',
      sort: { sortBy: 'expire', direction: 'desc' },
      properties: {
        userEmail: { type: 'string', isSortable: false, isVisible: { list: true, show: true, edit: false, filter: false } },
        organizationName: { type: 'string', isSortable: false, isVisible: { list: true, show: true, edit: false, filter: false } },
        browser: { type: 'string', isSortable: false, isVisible: { list: true, show: true, edit: false, filter: false } },
        signedInAt: { type: 'datetime', isSortable: false, isVisible: { list: true, show: true, edit: false, filter: false } },
        userId: { isVisible: { list: false, show: true, edit: false, filter: false } },
        organizationId: { isVisible: { list: false, show: true, edit: false, filter: false } },
        expire: { type: 'datetime' },
      },
      actions: {
        new: { isAccessible: false },
        edit: { isAccessible: false },
        list: { after: [enrich] },
        show: { after: [enrich] },
        // The named confirmation (actions/delete-confirmation.ts) in this resource's words.
        delete: { after: [enrich, titled], custom: { verb: 'End', singular: 'session of', plural: 'sessions', detail: 'Its browser will have to sign in again.' } },
        bulkDelete: { after: [enrich, titled], custom: { verb: 'End', singular: 'session', plural: 'sessions', detail: 'Their browsers will have to sign in again.' } },
      },
    },
  };
};

/** A session is named by whose it is and where ("bob@acme.example, Firefox on Linux"), never by its id. */
const titled: AfterHook = async (response: ActionResponse) => {
  for (const r of [...((response.records as RecordJSON[] | undefined) ?? []), ...(response.record ? [response.record as RecordJSON] : [])]) {
    r.title = [r.params.userEmail, r.params.browser].filter(Boolean).join(', ') || 'without a user';
  }
  return response;
};

/**
 * Adds userEmail, organizationName, browser and signedInAt to the records of a
 * response: two or three indexed queries per page, in the admin's own tenant
 * context (so row-level security applies to them too).
 */
function enrichSessions(db: PrismaClient): AfterHook {
  return async (response: ActionResponse) => {
    const records = [...((response.records as RecordJSON[] | undefined) ?? []), ...(response.record ? [response.record as RecordJSON] : [])];
    if (!records.length) return response;
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    const ids = (key: string) => [...new Set(records.map((r) => text(r.params[key])).filter((v): v is string => v !== null))];
    const userIds = ids('userId').filter(isUuid);
    const orgIds = ids('organizationId').filter(isUuid);
    const [sessions, users, orgs] = await Promise.all([
      db.session.findMany({ where: { sid: { in: records.map((r) => String(r.id)) } }, select: { sid: true, sess: true } }),
      userIds.length ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }) : [],
      orgIds.length ? db.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } }) : [],
    ]);
    const signedIn = new Map(sessions.map((s) => [s.sid, signedInAtOf(s.sess)]));
    const emails = new Map(users.map((u) => [u.id, u.email]));
    const orgNames = new Map(orgs.map((o) => [o.id, o.name]));
    for (const r of records) {
      const userId = text(r.params.userId);
      const orgId = text(r.params.organizationId);
      r.params.userEmail = (userId && emails.get(userId)) ?? '';
      r.params.organizationName = orgId ? (orgNames.get(orgId) ?? '') : userId ? 'Platform staff' : '';
      r.params.browser = describeUserAgent(text(r.params.userAgent) ?? '');
      r.params.signedInAt = signedIn.get(String(r.id)) ?? null;
    }
    return response;
  };
}

function signedInAtOf(sess: unknown): string | null {
  const ms = (sess as { signedInAt?: unknown } | null)?.signedInAt;
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
