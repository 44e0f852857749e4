import React from 'react';
import { Box, Text, ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const muted = { color: '#898A9A' };
const isObject = (v: Json): v is { [k: string]: Json } => !!v && typeof v === 'object' && !Array.isArray(v);

function short(v: Json | undefined): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** [{ name, prompt }] (an AI model's tasks): a numbered list. */
function Tasks({ tasks }: { tasks: { [k: string]: Json }[] }) {
  return (
    <Box as="ol" style={{ paddingLeft: 20, margin: 0 }}>
      {tasks.map((t, i) => (
        <Box as="li" key={i} mb="md">
          <Text fontWeight="bold">{short(t.name ?? t.title ?? `Task ${i + 1}`)}</Text>
          {t.prompt != null ? <Text style={{ whiteSpace: 'pre-wrap', ...muted }}>{short(t.prompt)}</Text> : null}
        </Box>
      ))}
    </Box>
  );
}

/** Stored JSON made readable: task lists as lists, the rest indented. (The audit log's before/after is AuditChanges.) */
const JsonValue: React.FC<BasePropertyProps> = ({ property, record }) => {
  const { translateProperty } = useTranslation();
  const raw = record?.params?.[property.path];
  let value: Json = null;
  try {
    value = typeof raw === 'string' ? (JSON.parse(raw) as Json) : ((raw ?? null) as Json);
  } catch {
    value = String(raw);
  }
  let content: React.ReactNode;
  if (value === null || (Array.isArray(value) && !value.length) || (isObject(value) && !Object.keys(value).length)) {
    content = <span style={muted}>—</span>;
  } else if (Array.isArray(value) && value.every((t) => isObject(t) && ('name' in t || 'prompt' in t))) {
    content = <Tasks tasks={value as { [k: string]: Json }[]} />;
  } else {
    content = <pre style={{ whiteSpace: 'pre-wrap', margin: 0, fontSize: 12 }}>{JSON.stringify(value, null, 2)}</pre>;
  }
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{content}</ValueGroup>;
};

export default JsonValue;
