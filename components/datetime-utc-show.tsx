import React from 'react';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { formatUtc } from './utc-dates.js';

/** Every date on a show page: ISO order, UTC, as in the lists. */
const DatetimeUtcShow: React.FC<BasePropertyProps> = ({ property, record }) => {
  const { translateProperty } = useTranslation();
  const text = formatUtc(record?.params?.[property.path], property.type);
  return (
    <ValueGroup label={translateProperty(property.label, property.resourceId)}>
      {text ? <span data-testid={`utc-${property.path}`}>{text}{property.type === 'date' ? '' : ' UTC'}</span> : <span style={{ color: '#898A9A' }}>—</span>}
    </ValueGroup>
  );
};

export default DatetimeUtcShow;
