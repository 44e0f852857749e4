import { UserRole, UserStatus } from '@prisma/client';
import { z } from 'zod';
import { email, flag, oneOf, optionalText, requiredText, uuid } from '../shared/schema-kit.js';

/** Sign-in names: no spaces, so they can be typed and read back unambiguously. */
const username = () => requiredText(50).regex(/^[A-Za-z0-9._@-]+$/, 'Letters, digits and . _ - @ only, no spaces');

/** A new user. The password is set separately (hashed on the server); organizationId is null only for superadmins. */
export const userCreateSchema = z.object({
  organizationId: uuid().nullable().optional(),
  username: username(),
  email: email(),
  displayName: optionalText(120),
  role: oneOf(UserRole).optional(),
  status: oneOf(UserStatus).optional(),
  mustChangePassword: flag().optional(),
});

/** Changes to a user: the same rules, every field optional. */
export const userUpdateSchema = userCreateSchema.partial();

export type UserCreateInput = z.infer<typeof userCreateSchema>;
export type UserUpdateInput = z.infer<typeof userUpdateSchema>;
