import fs from 'node:fs';
import type { DMMF } from '@prisma/client/runtime/library.js';
import type { ResourceName } from '../access/permissions.js';

export type Model = DMMF.Model;
export type Datamodel = DMMF.Datamodel;

// The full datamodel that `npm run generate` writes (scripts/dmmf-generator.mjs):
// the runtime Prisma.dmmf lacks isId and relations with engineType "client".
const DMMF_FILE = new URL('../../generated/dmmf.json', import.meta.url);
let cached: Datamodel | undefined;

export function datamodel(): Datamodel {
  cached ??= (JSON.parse(fs.readFileSync(DMMF_FILE, 'utf8')) as { datamodel: Datamodel }).datamodel;
  return cached;
}

/** The Prisma model of a resource of the permission matrix. */
export function modelOf(resource: ResourceName): Model {
  const model = datamodel().models.find((m) => m.name === resource);
  if (!model) throw new Error(`No model ${resource} in the datamodel`);
  return model;
}

export const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
