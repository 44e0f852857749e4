import type { ZodTypeAny } from 'zod';
import { isSecretField, type ResourceName } from '../../domain/access/permissions.js';
import { datamodel, modelOf } from '../../domain/records/datamodel.js';
import { secretFlagNames } from '../../domain/records/safe-record.js';
import { z } from '../zod.js';

const SAMPLE_UUID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const SAMPLE_TIME = '2026-01-31T12:00:00.000Z';

function scalar(type: string, name: string, isId: boolean): ZodTypeAny {
  const enumDef = datamodel().enums.find((e) => e.name === type);
  if (enumDef) {
    const values = enumDef.values.map((v) => v.name) as [string, ...string[]];
    return z.enum(values).openapi({ example: values[0] });
  }
  switch (type) {
    case 'String':
      return /Id$|^id$/.test(name) || isId ? z.string().openapi({ example: SAMPLE_UUID }) : z.string().openapi({ example: name === 'name' ? 'Example' : 'text' });
    case 'Int':
      return z.number().int().openapi({ example: 1 });
    case 'Float':
      return z.number().openapi({ example: 0.5 });
    case 'BigInt':
      // Sent as a number while exact, as a decimal string beyond 2^53.
      return z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).openapi({ example: 1000 });
    case 'Decimal':
      return z.union([z.number(), z.string()]).openapi({ example: '1.50' });
    case 'Boolean':
      return z.boolean().openapi({ example: true });
    case 'DateTime':
      return z.string().datetime({ offset: true }).openapi({ example: SAMPLE_TIME });
    case 'Json':
      return z.unknown().openapi({ example: {} });
    default:
      return z.unknown();
  }
}

const cache = new Map<ResourceName, ZodTypeAny>();

/**
 * The answer schema of a resource's records, generated from the Prisma model:
 * every scalar column with its type and nullability, secrets left out, a
 * `has<Secret>` flag for each write-only secret. The schema and the table can
 * thereby never disagree; registered as an OpenAPI component named after the
 * resource.
 */
export function recordSchema(resource: ResourceName): ZodTypeAny {
  const hit = cache.get(resource);
  if (hit) return hit;
  const shape: Record<string, ZodTypeAny> = {};
  for (const f of modelOf(resource).fields) {
    if (f.kind === 'object' || isSecretField(resource, f.name)) continue;
    let s = scalar(f.type, f.name, f.isId);
    if (f.isList) s = z.array(s);
    if (!f.isRequired && !f.isList) s = s.nullable();
    shape[f.name] = s;
  }
  for (const flag of secretFlagNames(resource)) shape[flag] = z.boolean().openapi({ description: 'Whether the write-only secret is set (it is never returned).' });
  const schema = z.object(shape).openapi(resource);
  cache.set(resource, schema);
  return schema;
}
