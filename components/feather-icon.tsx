import React from 'react';
import { Icon } from '@adminjs/design-system';

// A feather icon name as the AdminJS icon set spells it ("FileText", "BarChart2").
const FEATHER_NAME = /^[A-Z][A-Za-z0-9]*$/;

/**
 * A record's icon from the AdminJS icon set (feather names), never an emoji:
 * emoji show as empty boxes on machines without an emoji font. A stored value
 * that is not an icon name (an emoji from older data) shows the fallback; none shows none.
 */
export const FeatherIcon: React.FC<{ name?: unknown; fallback?: string }> = ({ name, fallback }) => {
  const icon = typeof name === 'string' && name.trim() ? (FEATHER_NAME.test(name) ? name : fallback) : undefined;
  if (!icon) return null;
  return (
    <span style={{ display: 'inline-flex', verticalAlign: 'middle', marginRight: 8 }} data-icon={icon}>
      <Icon icon={icon} size={16} />
    </span>
  );
};
