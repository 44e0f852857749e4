import React from 'react';
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Text, ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const muted = { color: '#898A9A' };
const isObject = (v: Json): v is { [k: string]: Json } => !!v && typeof v === 'object' && !Array.isArray(v);

function short(v: Json | undefined): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** { before, after } of the audit log: one row per changed field, in the audited resource's words. */
function Changes({ before, after, resourceId }: { before: Json; after: Json; resourceId?: string }) {
  const { translateProperty, translateLabel } = useTranslation();
  const field = (k: string) => (resourceId ? translateProperty(k, resourceId) : k);
  const value = (k: string, v: Json | undefined) =>
    typeof v === 'string' && resourceId && /^[A-Z][A-Z_]*$/.test(v) ? translateLabel(`${k}.${v}`, resourceId, { defaultValue: v }) : short(v);
  const b = isObject(before) ? before : {};
  const a = isObject(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  if (!keys.length) return <span style={muted}>No field changes recorded</span>;
  return (
    <Table>
      <TableHead>
        <TableRow>
          <TableCell>Field</TableCell>
          <TableCell>Before</TableCell>
          <TableCell>After</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {keys.map((k) => (
          <TableRow key={k}>
            <TableCell style={{ fontWeight: 500 }}>{field(k)}</TableCell>
            <TableCell style={{ wordBreak: 'break-word', ...(k in b ? {} : muted) }}>{value(k, b[k])}</TableCell>
            <TableCell style={{ wordBreak: 'break-word', ...(k in a ? {} : muted) }}>{value(k, a[k])}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
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

/** Stored JSON made readable: audit changes as a before/after table, task lists as lists, the rest indented. */
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
  } else if (isObject(value) && ('before' in value || 'after' in value)) {
    const audited = record?.params?.resource;
    content = <Changes before={value.before ?? null} after={value.after ?? null} resourceId={typeof audited === 'string' ? audited : undefined} />;
  } else if (Array.isArray(value) && value.every((t) => isObject(t) && ('name' in t || 'prompt' in t))) {
    content = <Tasks tasks={value as { [k: string]: Json }[]} />;
  } else {
    content = <pre style={{ whiteSpace: 'pre-wrap', margin: 0, fontSize: 12 }}>{JSON.stringify(value, null, 2)}</pre>;
  }
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{content}</ValueGroup>;
};

export default JsonValue;
