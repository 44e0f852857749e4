import React, { useEffect, useState } from 'react';
import { Badge, Box, ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { ALL_MODELS, modelOptions, type ModelOption } from './model-names.js';
import { arrayItems } from './array-items.js';

/** Allowed models by name, as chips; none reads "All models the organization may use". */
const ModelList: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const { translateProperty } = useTranslation();
  const ids = arrayItems(record?.params ?? {}, property.path);
  const [options, setOptions] = useState<ModelOption[]>([]);
  useEffect(() => {
    let live = true;
    if (ids.length) modelOptions().then((o) => live && setOptions(o));
    return () => {
      live = false;
    };
  }, [ids.length]);
  const content = ids.length ? (
    <Box flex flexWrap="wrap" style={{ gap: 4 }}>
      {ids.map((id) => (
        <Badge key={id} size="sm" outline variant="primary">
          {options.find((o) => o.value === id)?.label ?? '…'}
        </Badge>
      ))}
    </Box>
  ) : (
    <span style={{ color: '#898A9A' }} data-testid="all-models">
      {ALL_MODELS}
    </span>
  );
  if (where === 'list') return content;
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{content}</ValueGroup>;
};

export default ModelList;
