import { ValidationError } from 'adminjs';
import { hashPassword } from '../../domain/auth/password.js';
import { humanizeEnumValue } from './labels.js';
import { relatedRecords } from './related-records.js';
import type { ResourceFactory } from './resource-spec.js';
import { screen, when } from './screen-kit.js';

const MIN_PASSWORD = 12;

/**
 * Users: a write-only `password` field is hashed here; passwordHash is never
 * read or accepted. The show page lists the user's realms and API keys.
 */
export const userResource: ResourceFactory = ({ db }) => {
  const related = relatedRecords(db, [
    {
      title: 'Realms',
      resource: 'Realm',
      where: (id) => ({ ownerId: id }),
      filter: 'owner',
      columns: ['Name', 'Default', 'Active', 'Created'],
      select: { name: true, isDefault: true, isActive: true, createdAt: true },
      orderBy: [{ isActive: 'desc' }, { name: 'asc' }],
      cells: (r) => [r.name, r.isDefault ? 'Yes' : 'No', r.isActive ? 'Yes' : 'No', when(r.createdAt)],
      muted: (r) => !r.isActive,
    },
    {
      title: 'API keys',
      resource: 'ApiKey',
      where: (id) => ({ userId: id }),
      filter: 'user',
      columns: ['Name', 'Prefix', 'Type', 'Last used', 'Revoked'],
      select: { name: true, prefix: true, type: true, lastUsedAt: true, revokedAt: true },
      orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'desc' }],
      cells: (k) => [k.name, k.prefix, humanizeEnumValue('ApiKeyType', k.type), when(k.lastUsedAt), k.revokedAt ? when(k.revokedAt) : '—'],
      muted: (k) => !!k.revokedAt,
    },
  ]);

  return {
    options: {
      ...screen({
        list: ['email', 'displayName', 'organization', 'role', 'status', 'lastLoginAt'],
        filter: ['email', 'username', 'displayName', 'organization', 'role', 'status', 'lastLoginAt', 'createdAt'],
        show: [
          'email', 'username', 'displayName', 'organization', 'role', 'status', 'mustChangePassword',
          'lastLoginAt', 'failedLoginAttempts', 'lockedUntil', 'passwordChangedAt', 'createdAt', 'updatedAt', 'id', 'related',
        ],
        edit: ['email', 'username', 'displayName', 'organization', 'role', 'status', 'password', 'mustChangePassword'],
        properties: {
          password: {
            type: 'password',
            isVisible: { list: false, filter: false, show: false, edit: true },
            description: `The first password of a new user (at least ${MIN_PASSWORD} characters). To change a password later: "Change password" for your own, "Temporary password" for someone else's.`,
          },
          organization: { description: 'Empty only for platform staff (superadmins).' },
          lastLoginAt: { isVisible: { list: true, filter: true, show: true, edit: false } },
          // BaseProperty hides every path containing "password"; this one is harmless.
          passwordChangedAt: { isVisible: { list: false, filter: true, show: true, edit: false } },
          related: related.property,
        },
      }),
      sort: { sortBy: 'email', direction: 'asc' },
      actions: { show: { after: [related.after] } },
    },
    writeSecrets: async (params, op) => {
      const plain = params.password;
      if (typeof plain === 'string' && plain !== '') {
        // Editing is not a way to change a password: your own needs your current
        // one (the change-password form), someone else's is a temporary password
        // (the user action), and both end the user's other sessions.
        if (op === 'update') throw new ValidationError({ password: { message: 'A password is not changed here: use "Change password" for your own or the "Temporary password" action' } });
        if (plain.length < MIN_PASSWORD) throw new ValidationError({ password: { message: `At least ${MIN_PASSWORD} characters` } });
        return { data: { passwordHash: await hashPassword(plain), passwordChangedAt: new Date() } };
      }
      if (op === 'create') throw new ValidationError({ password: { message: 'Required' } });
      return {};
    },
  };
};
