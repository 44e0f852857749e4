import { ValidationError } from 'adminjs';
import { hashPassword } from '../../domain/auth/password.js';
import type { ResourceFactory } from './resource-spec.js';

const MIN_PASSWORD = 12;

/** Users: a write-only `password` field is hashed here; passwordHash is never read or accepted. */
export const userResource: ResourceFactory = () => ({
  options: {
    listProperties: ['username', 'email', 'role', 'status', 'organization', 'lastLoginAt'],
    properties: {
      password: {
        type: 'password',
        position: 5,
        isVisible: { list: false, filter: false, show: false, edit: true },
        description: `At least ${MIN_PASSWORD} characters. Leave empty to keep the current password.`,
      },
      lastLoginAt: { isVisible: { list: true, filter: true, show: true, edit: false } },
      // BaseProperty hides every path containing "password"; this one is harmless.
      passwordChangedAt: { isVisible: { list: false, filter: true, show: true, edit: false } },
    },
  },
  writeSecrets: async (params, op) => {
    const plain = params.password;
    if (typeof plain === 'string' && plain !== '') {
      if (plain.length < MIN_PASSWORD) throw new ValidationError({ password: { message: `At least ${MIN_PASSWORD} characters` } });
      return { data: { passwordHash: await hashPassword(plain), passwordChangedAt: new Date() } };
    }
    if (op === 'create') throw new ValidationError({ password: { message: 'Required' } });
    return {};
  },
});
