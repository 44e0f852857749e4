import React from 'react';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';

// Numbers arrive as decimal strings (BigInt-safe); null means "no limit" for quotas.
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

function format(raw: string, unit?: string): string {
  if (unit === 'bytes') {
    let n = Number(raw);
    let i = 0;
    while (Math.abs(n) >= 1024 && i < UNITS.length - 1) {
      n /= 1024;
      i += 1;
    }
    return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${UNITS[i]}`;
  }
  if (/^-?\d+$/.test(raw)) return BigInt(raw).toLocaleString('en-US');
  const n = Number(raw);
  return Number.isFinite(n) ? n.toLocaleString('en-US') : raw;
}

/** Thousands separators, bytes as KB/MB/GB, and a word (e.g. "Unlimited") for an empty value. */
const Quantity: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const { translateProperty } = useTranslation();
  const raw = record?.params?.[property.path];
  const custom = (property.custom ?? {}) as { empty?: string; unit?: string };
  const text = raw === undefined || raw === null || raw === '' ? custom.empty ?? '—' : format(String(raw), custom.unit);
  if (where === 'list') return <span>{text}</span>;
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{text}</ValueGroup>;
};

export default Quantity;
