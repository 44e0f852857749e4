import { api } from './action-ui.js';

export interface ModelOption {
  value: string;
  label: string;
}

let cached: Promise<ModelOption[]> | null = null;

/**
 * The AI models the signed-in person may see, by id and name: one request per
 * page load, shared by every field that names models. Not registered itself.
 */
export function modelOptions(): Promise<ModelOption[]> {
  cached ??= api
    .searchRecords({ resourceId: 'AiModel', query: '' })
    .then((records) => records.map((r) => ({ value: String(r.id), label: String(r.title || r.id) })).sort((a, b) => a.label.localeCompare(b.label)))
    .catch(() => {
      cached = null;
      return [];
    });
  return cached;
}

export const ALL_MODELS = 'All models the organization may use';
