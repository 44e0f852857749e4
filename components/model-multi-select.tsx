import React, { useEffect, useState } from 'react';
import { FormGroup, FormMessage, Label, Select } from '@adminjs/design-system';
import { useTranslation, type EditPropertyProps } from 'adminjs';
import { ALL_MODELS, modelOptions, type ModelOption } from './model-names.js';
import { arrayItems } from './array-items.js';

/**
 * "Allowed models" as one multi-select of model names (instead of a list of
 * single reference selects). Nothing chosen means every model the
 * organization may use, and the field says so.
 */
const ModelMultiSelect: React.FC<EditPropertyProps> = ({ property, record, onChange }) => {
  const { translateProperty } = useTranslation();
  const [options, setOptions] = useState<ModelOption[]>([]);
  useEffect(() => {
    let live = true;
    modelOptions().then((o) => live && setOptions(o));
    return () => {
      live = false;
    };
  }, []);
  const selected = arrayItems(record?.params ?? {}, property.path).map((id) => options.find((o) => o.value === id) ?? { value: id, label: id });
  const error = record?.errors?.[property.path];
  return (
    <FormGroup error={Boolean(error)} data-testid={`model-multi-select-${property.path}`}>
      <Label htmlFor={property.path}>{translateProperty(property.label, property.resourceId)}</Label>
      <Select
        inputId={property.path}
        isMulti
        value={selected}
        options={options}
        placeholder={ALL_MODELS}
        onChange={(chosen: unknown) => onChange(property.path, ((chosen as ModelOption[] | null) ?? []).map((o) => o.value))}
      />
      <div style={{ color: '#898A9A', fontSize: 12, marginTop: 4 }} data-testid="model-multi-select-help">
        {property.description ?? `Empty = ${ALL_MODELS.toLowerCase()}.`}
      </div>
      <FormMessage>{error?.message}</FormMessage>
    </FormGroup>
  );
};

export default ModelMultiSelect;
