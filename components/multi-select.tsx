import React from 'react';
import { FormGroup, FormMessage, Label, Select } from '@adminjs/design-system';
import { useTranslation, type EditPropertyProps } from 'adminjs';
import { arrayItems } from './array-items.js';

interface Option {
  value: string;
  label: string;
}

/** One multi-select for an array of enum values (organization types, key scopes) instead of a list of selects. */
const MultiSelect: React.FC<EditPropertyProps> = ({ property, record, onChange }) => {
  const { translateLabel, translateProperty } = useTranslation();
  const options: Option[] = (property.availableValues ?? []).map((v) => ({
    value: String(v.value),
    label: translateLabel(`${property.path}.${v.value}`, property.resourceId, { defaultValue: v.label ?? String(v.value) }),
  }));
  const selected = arrayItems(record?.params ?? {}, property.path).map((v) => options.find((o) => o.value === v) ?? { value: v, label: v });
  const error = record?.errors?.[property.path];
  return (
    <FormGroup error={Boolean(error)}>
      <Label htmlFor={property.path}>{translateProperty(property.label, property.resourceId)}</Label>
      <Select
        inputId={property.path}
        isMulti
        value={selected}
        options={options}
        placeholder={((property.custom ?? {}) as { empty?: string }).empty ?? 'None'}
        onChange={(chosen: unknown) => onChange(property.path, ((chosen as Option[] | null) ?? []).map((o) => o.value))}
      />
      {property.description ? <div style={{ color: '#898A9A', fontSize: 12, marginTop: 4 }}>{property.description}</div> : null}
      <FormMessage>{error?.message}</FormMessage>
    </FormGroup>
  );
};

export default MultiSelect;
