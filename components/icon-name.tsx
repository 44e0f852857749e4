import React from 'react';
import type { BasePropertyProps } from 'adminjs';

/** A name led by its emoji icon (AI models, tools) in lists. */
const IconName: React.FC<BasePropertyProps> = ({ property, record }) => {
  const params = record?.params ?? {};
  const iconFrom = ((property.custom ?? {}) as { iconFrom?: string }).iconFrom ?? 'icon';
  const icon = params[iconFrom];
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      {icon ? <span style={{ marginRight: 8 }}>{String(icon)}</span> : null}
      <strong style={{ fontWeight: 500 }}>{String(params[property.path] ?? '')}</strong>
    </span>
  );
};

export default IconName;
