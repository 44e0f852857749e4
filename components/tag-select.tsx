import React, { useEffect, useState } from 'react';
import { FormGroup, FormMessage, Label, Select } from '@adminjs/design-system';
import { useTranslation, type EditPropertyProps } from 'adminjs';
import { api } from './action-ui.js';
import { arrayItems } from './array-items.js';

interface Option {
  value: string;
  label: string;
}

/**
 * Free-text tags as one multi-select: pick tags other records of the resource
 * already use, or type a new one and press Enter.
 */
const TagSelect: React.FC<EditPropertyProps> = ({ property, record, onChange }) => {
  const { translateProperty } = useTranslation();
  const selected = arrayItems(record?.params ?? {}, property.path);
  const [known, setKnown] = useState<string[]>([]);
  const [input, setInput] = useState('');
  useEffect(() => {
    let live = true;
    api
      .resourceAction({ resourceId: property.resourceId, actionName: 'list', params: { perPage: 500 } })
      .then((res) => {
        const tags = new Set<string>();
        for (const r of (res.data.records ?? []) as { params: Record<string, unknown> }[]) for (const t of arrayItems(r.params, property.path)) tags.add(t);
        if (live) setKnown([...tags].sort((a, b) => a.localeCompare(b)));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [property.resourceId, property.path]);
  const typed = input.trim();
  const values = [...new Set([...known, ...selected])];
  const options: Option[] = [
    ...(typed && !values.includes(typed) ? [{ value: typed, label: `Add "${typed}"` }] : []),
    ...values.map((v) => ({ value: v, label: v })),
  ];
  const error = record?.errors?.[property.path];
  return (
    <FormGroup error={Boolean(error)}>
      <Label htmlFor={property.path}>{translateProperty(property.label, property.resourceId)}</Label>
      <Select
        inputId={property.path}
        isMulti
        value={selected.map((v) => ({ value: v, label: v }))}
        options={options}
        inputValue={input}
        onInputChange={(v: string, meta: { action: string }) => {
          if (meta.action === 'input-change') setInput(v);
          if (meta.action === 'set-value' || meta.action === 'menu-close') setInput('');
        }}
        placeholder="No tags: pick or type one"
        onChange={(chosen: unknown) => onChange(property.path, ((chosen as Option[] | null) ?? []).map((o) => o.value))}
      />
      {property.description ? <div style={{ color: '#898A9A', fontSize: 12, marginTop: 4 }}>{property.description}</div> : null}
      <FormMessage>{error?.message}</FormMessage>
    </FormGroup>
  );
};

export default TagSelect;
