/**
 * What a status means, as a colour: the one mapping of every status-like
 * column to a badge tone (components/status-badge.tsx). Green = working,
 * red = locked or failed, amber = waiting, blue = under way, grey = switched
 * off or gone. Applied to lists and show pages by resources/index.ts.
 */
export type Tone = 'success' | 'danger' | 'warning' | 'info' | 'muted';

export interface StatusStyle {
  /** Tone per stored value (enum value, or "true"/"false" for a boolean). */
  tones: Record<string, Tone>;
  /** Words for a boolean's two values (enums keep their translated labels). */
  words?: { true: string; false: string };
  /** Computed in the browser from other params (no stored column), e.g. an API key's state. */
  derived?: 'apiKeyState';
}

const active: StatusStyle = { tones: { true: 'success', false: 'muted' }, words: { true: 'Active', false: 'Inactive' } };
const enabled: StatusStyle = { tones: { true: 'success', false: 'muted' }, words: { true: 'Enabled', false: 'Disabled' } };
const health: StatusStyle = { tones: { HEALTHY: 'success', DEGRADED: 'warning', DOWN: 'danger', UNKNOWN: 'muted' } };

export const STATUS_STYLES: Record<string, Record<string, StatusStyle>> = {
  Organization: { isActive: active },
  User: { status: { tones: { ACTIVE: 'success', LOCKED: 'danger', INACTIVE: 'muted' } } },
  Realm: { isActive: active },
  AiModel: { isActive: active },
  OrganizationModelAccess: { isEnabledForUsers: enabled },
  UserModelLimit: { isEnabled: enabled },
  ApiKey: { state: { tones: { ACTIVE: 'success', REVOKED: 'danger', EXPIRED: 'danger' }, derived: 'apiKeyState' } },
  VectorServer: { isActive: active },
  Document: { state: { tones: { PENDING: 'warning', INGESTING: 'info', INGESTED: 'success', FAILED: 'danger', DEPRECATED: 'muted' } } },
  IngestionJob: { status: { tones: { PENDING: 'warning', PROCESSING: 'info', FINISHED: 'success', FAILED: 'danger', CANCELLED: 'muted' } } },
  Agent: { status: health, isActive: active },
  Tool: { status: health, isEnabled: enabled },
  RealmMigrationRun: { status: { tones: { RUNNING: 'info', COMPLETED: 'success', FAILED: 'danger', ROLLED_BACK: 'muted' } } },
};

/** The words of a derived state, as AdminJS would otherwise start-case them. */
export const DERIVED_WORDS: Record<string, string> = { ACTIVE: 'Active', REVOKED: 'Revoked', EXPIRED: 'Expired' };
