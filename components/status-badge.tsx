import React from 'react';
import { Badge, ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';

type Tone = 'success' | 'danger' | 'warning' | 'info' | 'muted';
interface Custom {
  tones?: Record<string, Tone>;
  words?: { true: string; false: string };
  derived?: 'apiKeyState';
  derivedWords?: Record<string, string>;
}

/** An API key is revoked, expired or active, from its dates. */
function apiKeyState(params: Record<string, unknown>): string {
  if (params.revokedAt) return 'REVOKED';
  const expires = params.expiresAt ? new Date(String(params.expiresAt)) : null;
  if (expires && !Number.isNaN(expires.getTime()) && expires.getTime() <= Date.now()) return 'EXPIRED';
  return 'ACTIVE';
}

/**
 * A status as a coloured badge (the mapping is src/admin/resources/status-tones.ts):
 * design-system variants for green, red and blue, the theme's warning colour
 * for amber, the plain grey badge for "off".
 */
const StatusBadge: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const { translateLabel, translateProperty } = useTranslation();
  const custom = (property.custom ?? {}) as Custom;
  const params = (record?.params ?? {}) as Record<string, unknown>;
  const raw = custom.derived === 'apiKeyState' ? apiKeyState(params) : params[property.path];
  const value = raw == null || raw === '' ? '' : String(raw);
  let words = value;
  if (custom.words && (value === 'true' || value === 'false')) words = custom.words[value];
  else if (custom.derivedWords?.[value]) words = custom.derivedWords[value]!;
  else if (value) words = translateLabel(`${property.path}.${value}`, property.resourceId, { defaultValue: value });
  const tone = custom.tones?.[value] ?? 'muted';
  const badge = !value ? (
    <span>—</span>
  ) : tone === 'warning' ? (
    <Badge size="sm" bg="warning" color="white" style={{ borderColor: 'transparent' }} data-tone={tone}>
      {words}
    </Badge>
  ) : (
    <Badge size="sm" variant={tone === 'muted' ? undefined : tone} data-tone={tone}>
      {words}
    </Badge>
  );
  if (where === 'list') return badge;
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{badge}</ValueGroup>;
};

export default StatusBadge;
