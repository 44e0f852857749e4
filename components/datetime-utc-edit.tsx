import React from 'react';
import { DatePicker, FormGroup, FormMessage, Label } from '@adminjs/design-system';
import { useTranslation, type EditPropertyProps } from 'adminjs';
import { formatUtc, fromUtcWallClock, parseInstant, UTC_FORMAT, utcWallClock } from './utc-dates.js';

const d = { regex: '\\d' };
const MASK = {
  datetime: [d, d, d, d, '-', d, d, '-', d, d, ' ', d, d, ':', d, d],
  date: [d, d, d, d, '-', d, d, '-', d, d],
};

/**
 * Every date field of every form: a picker showing and taking the time as the
 * lists show it ("2026-11-30 13:46", UTC), saved as that UTC instant
 * (overrides AdminJS's picker, which shows "2026/11/30" in local time).
 */
const DatetimeUtcEdit: React.FC<EditPropertyProps> = ({ property, record, onChange }) => {
  const { translateProperty, tm } = useTranslation();
  const kind = property.type === 'date' ? 'date' : 'datetime';
  const instant = parseInstant(record?.params?.[property.path]);
  const error = record?.errors?.[property.path];
  const change = (iso: string | null) => {
    const picked = parseInstant(iso);
    if (!picked) return onChange(property.path, '');
    const utc = fromUtcWallClock(picked);
    return onChange(property.path, kind === 'date' ? utc.toISOString().slice(0, 10) : utc.toISOString());
  };
  return (
    <FormGroup error={Boolean(error)}>
      <Label htmlFor={property.path} required={property.isRequired}>
        {translateProperty(property.label, property.resourceId)} {kind === 'datetime' ? '(UTC)' : ''}
      </Label>
      <DatePicker
        value={instant ? utcWallClock(instant) : ''}
        disabled={property.isDisabled}
        onChange={change}
        propertyType={kind}
        dateFormat={UTC_FORMAT[kind]}
        placeholderText={kind === 'date' ? 'YYYY-MM-DD' : 'YYYY-MM-DD HH:mm'}
        inputMask={{ mask: MASK[kind] } as never}
        id={property.path}
        name={property.path}
        timeInputLabel="Time (UTC):"
      />
      {property.description ? <div style={{ color: '#898A9A', fontSize: 12, marginTop: 4 }}>{property.description}</div> : null}
      {instant ? <div data-testid={`utc-value-${property.path}`} style={{ display: 'none' }}>{formatUtc(instant, kind)}</div> : null}
      <FormMessage>{error && tm(error.message, property.resourceId)}</FormMessage>
    </FormGroup>
  );
};

export default DatetimeUtcEdit;
