import { z } from 'zod';
import { flag, optionalText, requiredText, uuid } from '../shared/schema-kit.js';

/** A new realm of an owner (the actor when not given). Names are unique per owner among active realms (the database says so). */
export const realmCreateSchema = z.object({
  organizationId: uuid().optional(),
  ownerId: uuid().optional(),
  name: requiredText(100),
  description: optionalText(),
  isDefault: flag().optional(),
  isActive: flag().optional(),
});

export const realmUpdateSchema = realmCreateSchema.partial();

export type RealmCreateInput = z.infer<typeof realmCreateSchema>;
export type RealmUpdateInput = z.infer<typeof realmUpdateSchema>;
