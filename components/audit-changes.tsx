import React from 'react';
import { Table, TableBody, TableCell, TableHead, TableRow, ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';

interface DiffRow {
  field: string;
  label: string;
  before: string;
  after: string;
  secret?: boolean;
}

const muted = { color: '#898A9A' };

/**
 * The change an audit row records, as a diff: one row per changed field, its
 * label in words, the old value and the new one (a secret only says
 * "(changed)"). The server composes the rows (src/admin/audit/audit-diff.ts).
 */
const AuditChanges: React.FC<BasePropertyProps> = ({ property, record }) => {
  const { translateProperty } = useTranslation();
  let rows: DiffRow[] = [];
  try {
    rows = JSON.parse(String(record?.params?.changesDiff ?? '[]')) as DiffRow[];
  } catch {
    rows = [];
  }
  const content = rows.length ? (
    <Table data-testid="audit-diff">
      <TableHead>
        <TableRow>
          <TableCell>Field</TableCell>
          <TableCell>Before</TableCell>
          <TableCell>After</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={r.field} data-testid="audit-diff-row">
            <TableCell style={{ fontWeight: 500 }}>{r.label}</TableCell>
            <TableCell style={{ wordBreak: 'break-word', ...(r.before === '—' || r.secret ? muted : { background: '#FFF1F0' }) }}>{r.secret ? '' : r.before}</TableCell>
            <TableCell style={{ wordBreak: 'break-word', ...(r.after === '—' ? muted : { background: '#EFFAF3' }) }}>{r.after}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  ) : (
    <span style={muted}>No field changes recorded</span>
  );
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{content}</ValueGroup>;
};

export default AuditChanges;
