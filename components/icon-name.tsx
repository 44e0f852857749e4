import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { FeatherIcon } from './feather-icon.js';

/** A name led by its icon (AI models, tools) in lists: a feather icon from the AdminJS icon set. */
const IconName: React.FC<BasePropertyProps> = ({ property, record }) => {
  const params = record?.params ?? {};
  const custom = (property.custom ?? {}) as { iconFrom?: string; fallback?: string };
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      <FeatherIcon name={params[custom.iconFrom ?? 'icon']} fallback={custom.fallback} />
      <strong style={{ fontWeight: 500 }}>{String(params[property.path] ?? '')}</strong>
    </span>
  );
};

export default IconName;
