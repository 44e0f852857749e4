import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComponentLoader } from 'adminjs';

/**
 * The one place custom React components (components/*.tsx) are registered.
 * AdminJS bundles them: in production at initialize(), otherwise on the first
 * request for components.bundle.js.
 */
const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../components');

export const componentLoader = new ComponentLoader();

const add = (name: string, file: string): string => componentLoader.add(name, path.join(DIR, file));

export const Components = {
  Dashboard: add('RealmgateDashboard', 'dashboard.tsx'),
  RelatedRecords: add('RelatedRecords', 'related-records.tsx'),
  JsonValue: add('JsonValue', 'json-value.tsx'),
  ValueList: add('ValueList', 'value-list.tsx'),
  IconName: add('IconName', 'icon-name.tsx'),
  Quantity: add('Quantity', 'quantity.tsx'),
  RecordLink: add('RecordLink', 'record-link.tsx'),
  SecretInput: add('SecretInput', 'secret-input.tsx'),
  MultiSelect: add('MultiSelect', 'multi-select.tsx'),
} as const;

/**
 * Outside production AdminJS serves `<ADMIN_JS_TMP_DIR>/bundle.js` when it exists
 * and builds it only when it does not, so a bundle made before a component
 * changed would be served forever. Drop it when a component is newer.
 */
export function dropStaleDevBundle(): void {
  if (process.env.NODE_ENV === 'production') return;
  const bundle = path.resolve(process.env.ADMIN_JS_TMP_DIR || '.adminjs', 'bundle.js');
  try {
    const built = fs.statSync(bundle).mtimeMs;
    const newest = Math.max(...fs.readdirSync(DIR).map((f) => fs.statSync(path.join(DIR, f)).mtimeMs), fs.statSync(fileURLToPath(import.meta.url)).mtimeMs);
    if (newest > built) fs.rmSync(bundle, { force: true });
  } catch {
    /* no bundle yet */
  }
}
