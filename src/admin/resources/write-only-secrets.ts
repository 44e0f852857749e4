import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type PropertyOptions, type RecordJSON } from 'adminjs';
import type { PrismaClient } from '@prisma/client';
import { encryptSecret } from '../../domain/crypto/secret-box.js';
import { Components } from '../components.js';
import type { SecretWriter } from '../prisma-resource.js';
import type { AfterHook } from './resource-spec.js';
import { delegateOf } from './screen-kit.js';

/** A form field whose value is encrypted into `column` and never read back. */
export interface WriteOnlySecret {
  /** The form's (virtual) field, e.g. 'providerApiKey'. */
  input: string;
  /** The ciphertext column, e.g. 'providerApiKeyEncrypted' (never a property: see prisma-resource.ts). */
  column: string;
  description?: string;
}

const MAX_SECRET = 4096;

/**
 * Secrets as write-only inputs: `<input>` is a password box on the form; when
 * filled it is encrypted with ENCRYPTION_KEY (AES-256-GCM) into `<column>`
 * through the resource's `writeSecrets`; `<input>Clear` = 'true' removes it.
 * Pages show `<input>Status` ("set" / "not set"), computed by asking the
 * database whether the column is null, so neither value nor ciphertext is read
 * into a response. The after-hook also drops whatever a handler echoed back.
 */
export function writeOnlySecrets(
  db: PrismaClient,
  modelName: string,
  encryptionKey: string,
  secrets: WriteOnlySecret[],
): { properties: Record<string, PropertyOptions>; after: AfterHook; writeSecrets: SecretWriter } {
  const properties: Record<string, PropertyOptions> = {};
  for (const s of secrets) {
    properties[s.input] = {
      type: 'password',
      isVisible: { list: false, filter: false, show: false, edit: true },
      components: { edit: Components.SecretInput },
      description: s.description ?? 'Write-only: stored encrypted, never shown again. Leave empty to keep the stored value.',
    };
    properties[`${s.input}Status`] = { type: 'string', isVisible: { list: false, filter: false, show: true, edit: false }, isSortable: false };
  }

  const writeSecrets: SecretWriter = async (params) => {
    const data: Record<string, unknown> = {};
    for (const s of secrets) {
      const value = params[s.input];
      if (typeof value === 'string' && value !== '') {
        if (value.length > MAX_SECRET) throw new ValidationError({ [s.input]: { message: `At most ${MAX_SECRET} characters` } });
        data[s.column] = encryptSecret(encryptionKey, value);
      } else if (params[`${s.input}Clear`] === 'true' || params[`${s.input}Clear`] === true) {
        data[s.column] = null;
      }
    }
    return { data };
  };

  const after = async (response: ActionResponse, _request: ActionRequest, _context: ActionContext) => {
    const records = [...((response.records as RecordJSON[] | undefined) ?? []), ...(response.record ? [response.record as RecordJSON] : [])];
    for (const r of records) {
      for (const s of secrets) {
        for (const key of Object.keys(r.params ?? {})) {
          if (key === s.input || key.startsWith(`${s.input}.`) || key === `${s.input}Clear` || key === s.column) delete r.params[key];
        }
      }
    }
    const ids = records.map((r) => r.id).filter((id): id is string => typeof id === 'string' && id !== '');
    if (!ids.length) return response;
    const delegate = delegateOf(db, modelName);
    const present = await Promise.all(
      secrets.map(async (s) => new Set((await delegate.findMany({ where: { id: { in: ids }, [s.column]: { not: null } }, select: { id: true } })).map((row) => String(row.id)))),
    );
    for (const r of records) {
      secrets.forEach((s, i) => {
        if (r.id) r.params[`${s.input}Status`] = present[i]!.has(String(r.id)) ? 'set' : 'not set';
      });
    }
    return response;
  };

  return { properties, after, writeSecrets };
}
