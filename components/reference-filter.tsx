import React, { useEffect, useState } from 'react';
import { FormGroup, Label, SelectAsync } from '@adminjs/design-system';
import { useTranslation, type FilterPropertyProps } from 'adminjs';
import { api } from './action-ui.js';

interface Option {
  value: string | number;
  label: string;
}

/**
 * The filter drawer's reference select (organization, user, key, model,
 * realm...), as AdminJS's own (DefaultReferenceFilterProperty) but loading its
 * first options when it is opened, not when the list mounts: AdminJS's asks
 * the search action once per reference filter on every list page load, five
 * requests beside the usage list's own two, all competing with the page for
 * the server. Typing searches as before; a filter set from the URL loads its
 * options at once, so its choice shows by name.
 */
const ReferenceFilter: React.FC<FilterPropertyProps> = ({ property, filter, onChange }) => {
  const { translateProperty } = useTranslation();
  const value = typeof filter[property.path] === 'undefined' ? '' : String(filter[property.path]);
  const [options, setOptions] = useState<Option[]>([]);
  const [firstOptions, setFirstOptions] = useState<Option[] | false | 'loading'>(false);

  const loadOptions = async (query: string): Promise<Option[]> => {
    const records = await api.searchRecords({ resourceId: property.reference as string, query });
    const loaded = records.map((r) => ({ value: r.id, label: r.title }));
    setOptions(loaded);
    return loaded;
  };
  const loadFirst = () => {
    if (firstOptions !== false) return;
    setFirstOptions('loading');
    void loadOptions('').then(setFirstOptions, () => setFirstOptions([]));
  };
  useEffect(() => {
    if (value) loadFirst();
  }, [value]);

  const first = Array.isArray(firstOptions) ? firstOptions : [];
  const selected = options.find((o) => String(o.value) === value) ?? first.find((o) => String(o.value) === value);
  return (
    <FormGroup>
      <Label>{translateProperty(property.label, property.resourceId)}</Label>
      <SelectAsync
        variant="filter"
        value={selected ?? ''}
        isClearable
        cacheOptions
        loadOptions={loadOptions}
        defaultOptions={first}
        isLoading={firstOptions === 'loading'}
        onMenuOpen={loadFirst}
        onChange={(choice: Option | null) => onChange(property.path, choice ? choice.value : '')}
      />
    </FormGroup>
  );
};

export default ReferenceFilter;
