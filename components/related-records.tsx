import React from 'react';
import { Link } from 'react-router-dom';
import { Badge, Box, H4, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import type { BasePropertyProps } from 'adminjs';

interface Section {
  title: string;
  total: number;
  listHref?: string;
  columns: string[];
  rows: { href: string; cells: string[]; muted?: boolean }[];
}

/**
 * The records that belong to this one (an organization's users, realms and
 * model access; a realm's keys and documents), loaded by the show action's
 * after-hook within the viewer's scope and sent as JSON in `related`.
 */
const link: React.CSSProperties = { color: '#3040D6', textDecoration: 'none' };

const RelatedRecords: React.FC<BasePropertyProps> = ({ record }) => {
  let sections: Section[] = [];
  try {
    sections = JSON.parse(String(record?.params?.related ?? '[]')) as Section[];
  } catch {
    return null;
  }
  if (!sections.length) return null;
  return (
    <Box mt="xl">
      {sections.map((s) => (
        <Box key={s.title} mb="xxl">
          <Box flex alignItems="center" justifyContent="space-between" mb="default">
            <H4 mb={0}>
              {s.title} <Badge size="sm">{s.total}</Badge>
            </H4>
            {s.listHref && s.total > 0 ? (
              <Link to={s.listHref} style={link}>
                {s.total > s.rows.length ? `View all ${s.total}` : 'Open as list'}
              </Link>
            ) : null}
          </Box>
          {s.rows.length ? (
            <Table>
              <TableHead>
                <TableRow>
                  {s.columns.map((c) => (
                    <TableCell key={c}>{c}</TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {s.rows.map((r) => (
                  <TableRow key={r.href} style={r.muted ? { opacity: 0.55 } : undefined}>
                    {r.cells.map((c, i) => (
                      <TableCell key={i}>
                        {i === 0 ? (
                          <Link to={r.href} style={link}>
                            {c || '(unnamed)'}
                          </Link>
                        ) : (
                          c
                        )}
                      </TableCell>
                    ))}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : (
            <Text style={{ color: '#898A9A' }}>None yet.</Text>
          )}
        </Box>
      ))}
    </Box>
  );
};

export default RelatedRecords;
