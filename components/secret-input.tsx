import React, { useState } from 'react';
import { CheckBox, FormGroup, FormMessage, Input, Label, Text } from '@adminjs/design-system';
import { useTranslation, type EditPropertyProps } from 'adminjs';

/**
 * A write-only secret: an empty password box (the stored value never reaches
 * the browser), whether one is stored, and a way to remove it. Typing a value
 * replaces the stored one; leaving it empty keeps it.
 */
const SecretInput: React.FC<EditPropertyProps> = ({ property, record, onChange }) => {
  const { translateProperty } = useTranslation();
  const [value, setValue] = useState('');
  const [clear, setClear] = useState(false);
  const isSet = record?.params?.[`${property.path}Status`] === 'set';
  const error = record?.errors?.[property.path];
  const id = `secret-${property.path}`;
  return (
    <FormGroup error={Boolean(error)}>
      <Label htmlFor={id}>{translateProperty(property.label, property.resourceId)}</Label>
      <Input
        id={id}
        type="password"
        autoComplete="new-password"
        width={1}
        value={value}
        disabled={clear}
        placeholder={isSet ? 'Stored — type a new value to replace it' : 'Not set'}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => {
          setValue(e.target.value);
          onChange(property.path, e.target.value);
        }}
      />
      {isSet ? (
        <Text mt="default" style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
          <CheckBox
            id={`${id}-clear`}
            checked={clear}
            onChange={() => {
              const next = !clear;
              setClear(next);
              setValue('');
              onChange(property.path, '');
              onChange(`${property.path}Clear`, next ? 'true' : '');
            }}
          />
          <Label inline htmlFor={`${id}-clear`}>
            Remove the stored value
          </Label>
        </Text>
      ) : null}
      {property.description ? <Text mt="sm" style={{ color: '#898A9A', fontSize: 12 }}>{property.description}</Text> : null}
      <FormMessage>{error?.message}</FormMessage>
    </FormGroup>
  );
};

export default SecretInput;
