import React, { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Box, H2, H4, Loader, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { ApiClient } from 'adminjs';

/** What src/admin/dashboard.ts answers. */
interface DashboardData {
  scope: string;
  month: string;
  cards: { label: string; value: string; hint?: string; href?: string }[];
  topModels: { name: string; tokens: string; requests: string; href?: string }[];
}

const api = new ApiClient();

const card: React.CSSProperties = {
  background: '#fff',
  border: '1px solid #EEEEEF',
  borderRadius: 8,
  padding: '20px 24px',
  display: 'block',
  color: 'inherit',
  textDecoration: 'none',
};

/** Realmgate's home: counts and this month's tokens, for what the viewer may see. */
const Dashboard: React.FC = () => {
  const [data, setData] = useState<DashboardData | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    api
      .getDashboard()
      .then((res) => setData(res.data as DashboardData))
      .catch(() => setFailed(true));
  }, []);

  return (
    <Box variant="grey" p="xxl">
      <H2 mb="sm">Realmgate</H2>
      <Text mb="xl" style={{ color: '#898A9A' }}>
        {data ? `${data.scope} · ${data.month}` : 'Control plane for your AI gateways'}
      </Text>
      {failed ? <Text>The overview could not be loaded.</Text> : null}
      {!data && !failed ? <Loader /> : null}
      {data ? (
        <>
          <Box mb="xxl" style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(190px, 1fr))', gap: 16 }}>
            {data.cards.map((c) => {
              const body = (
                <>
                  <Text style={{ color: '#898A9A', fontSize: 13 }}>{c.label}</Text>
                  <Text style={{ fontSize: 28, fontWeight: 600, margin: '6px 0 2px' }}>{c.value}</Text>
                  {c.hint ? <Text style={{ color: '#898A9A', fontSize: 12 }}>{c.hint}</Text> : null}
                </>
              );
              return c.href ? (
                <Link key={c.label} to={c.href} style={card}>
                  {body}
                </Link>
              ) : (
                <div key={c.label} style={card}>
                  {body}
                </div>
              );
            })}
          </Box>
          <Box bg="white" p="xl" style={{ border: '1px solid #EEEEEF', borderRadius: 8 }}>
            <H4>Top models this month</H4>
            {data.topModels.length ? (
              <Table>
                <TableHead>
                  <TableRow>
                    <TableCell>Model</TableCell>
                    <TableCell style={{ textAlign: 'right' }}>Tokens</TableCell>
                    <TableCell style={{ textAlign: 'right' }}>Requests</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {data.topModels.map((m) => (
                    <TableRow key={m.name}>
                      <TableCell>
                        {m.href ? (
                          <Link to={m.href} style={{ color: '#3040D6', textDecoration: 'none' }}>
                            {m.name}
                          </Link>
                        ) : (
                          m.name
                        )}
                      </TableCell>
                      <TableCell style={{ textAlign: 'right' }}>{m.tokens}</TableCell>
                      <TableCell style={{ textAlign: 'right' }}>{m.requests}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : (
              <Text style={{ color: '#898A9A' }}>No usage recorded this month.</Text>
            )}
          </Box>
        </>
      ) : null}
    </Box>
  );
};

export default Dashboard;
