import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { formatUtc } from './utc-dates.js';

/** Every date column of every list: ISO order, UTC (overrides AdminJS's local-time default). */
const DatetimeUtcList: React.FC<BasePropertyProps> = ({ property, record }) => (
  <span title={record?.params?.[property.path] ? `${formatUtc(record.params[property.path], property.type)} UTC` : undefined}>
    {formatUtc(record?.params?.[property.path], property.type)}
  </span>
);

export default DatetimeUtcList;
