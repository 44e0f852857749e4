import React from 'react';
import { Badge, Box, ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { arrayItems } from './array-items.js';

/** An array (enum values, tags, scopes) as small chips; an empty one as a word such as "All types". */
const ValueList: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const { translateLabel, translateProperty } = useTranslation();
  const values = arrayItems(record?.params ?? {}, property.path);
  const custom = (property.custom ?? {}) as { empty?: string };
  const label = (v: string) =>
    property.availableValues ? translateLabel(`${property.path}.${v}`, property.resourceId, { defaultValue: v }) : v;
  const content = values.length ? (
    <Box flex flexWrap="wrap" style={{ gap: 4 }}>
      {values.map((v) => (
        <Badge key={v} size="sm" outline variant="primary">
          {label(v)}
        </Badge>
      ))}
    </Box>
  ) : (
    <span style={{ color: '#898A9A' }}>{custom.empty ?? '—'}</span>
  );
  if (where === 'list') return content;
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{content}</ValueGroup>;
};

export default ValueList;
