import React, { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Box, Button, H2, H4, Loader, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { ApiClient } from 'adminjs';
import { UsageChart, type UsageSeries } from './usage-chart.js';

interface TopEntry {
  id: string | null;
  name: string;
  tokens: string;
  requests: string;
}
interface Gauge {
  subjectType: string;
  subjectId: string;
  name: string;
  metric: string;
  period: string;
  used: string;
  limit: string;
  percent: number;
  level: 'ok' | 'warning' | 'exceeded';
}
/** What src/admin/dashboard.ts answers. */
interface DashboardData {
  scope: string;
  month: string;
  days: number;
  cards: { label: string; value: string; hint?: string; href?: string }[];
  series: UsageSeries;
  top: { organizations: TopEntry[]; models: TopEntry[]; users: TopEntry[]; keys: TopEntry[] };
  gauges: Gauge[];
  refusals: { code: string; count: string }[];
  audit: { id: string; occurredAt: string; actorLabel: string | null; action: string; resource: string; href: string }[];
}

const api = new ApiClient();
const grouped = (s: string) => BigInt(s).toLocaleString('en-US');
const muted: React.CSSProperties = { opacity: 0.65 };
const grid = (min: number): React.CSSProperties => ({ display: 'grid', gridTemplateColumns: `repeat(auto-fill, minmax(${min}px, 1fr))`, gap: 16 });
const LEVEL_COLOUR = { ok: '#27AE60', warning: '#F2994A', exceeded: '#EB5757' } as const;

const Panel: React.FC<{ title: string; children: React.ReactNode; testId?: string }> = ({ title, children, testId }) => (
  <Box variant="card" p="xl" data-testid={testId} style={{ borderRadius: 8 }}>
    <H4 mb="lg">{title}</H4>
    {children}
  </Box>
);

const TopTable: React.FC<{ rows: TopEntry[] }> = ({ rows }) =>
  rows.length ? (
    <Table>
      <TableHead>
        <TableRow>
          <TableCell>Name</TableCell>
          <TableCell style={{ textAlign: 'right' }}>Tokens</TableCell>
          <TableCell style={{ textAlign: 'right' }}>Requests</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={r.id ?? r.name}>
            <TableCell>{r.name}</TableCell>
            <TableCell style={{ textAlign: 'right' }}>{grouped(r.tokens)}</TableCell>
            <TableCell style={{ textAlign: 'right' }}>{grouped(r.requests)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  ) : (
    <Text style={muted}>No usage in this period.</Text>
  );

/** A quota bar: green, amber from 80%, red from 100%. */
export const GaugeBar: React.FC<{ g: Gauge }> = ({ g }) => (
  <Box mb="lg" data-testid="quota-gauge" data-level={g.level}>
    <Text style={{ display: 'flex', justifyContent: 'space-between', fontSize: 13 }}>
      <span>
        {g.name} · {g.metric.toLowerCase().replace('_', ' ')} {g.period.toLowerCase()}
      </span>
      <span>
        {grouped(g.used)} / {grouped(g.limit)} ({g.percent}%){g.level === 'exceeded' ? ' — limit reached' : g.level === 'warning' ? ' — over 80%' : ''}
      </span>
    </Text>
    <div style={{ height: 8, borderRadius: 4, background: 'rgba(128,128,128,0.25)', overflow: 'hidden', marginTop: 4 }}>
      <div style={{ width: `${Math.min(100, g.percent)}%`, height: '100%', background: LEVEL_COLOUR[g.level] }} />
    </div>
  </Box>
);

/** Realmgate's home: usage per day by model, top users of tokens, quotas near their limit, refusals and the latest audit events. */
const Dashboard: React.FC = () => {
  const [data, setData] = useState<DashboardData | null>(null);
  const [failed, setFailed] = useState(false);
  const [days, setDays] = useState(30);
  const [metric, setMetric] = useState<'tokens' | 'requests'>('tokens');
  useEffect(() => {
    api
      .getDashboard({ params: { days } })
      .then((res) => setData(res.data as DashboardData))
      .catch(() => setFailed(true));
  }, [days]);

  return (
    <Box variant="grey" p="xxl" data-testid="dashboard">
      <H2 mb="sm">Realmgate</H2>
      <Text mb="xl" style={muted}>
        {data ? `${data.scope} · ${data.month}` : 'Control plane for your AI gateways'}
      </Text>
      {failed ? <Text>The overview could not be loaded.</Text> : null}
      {!data && !failed ? <Loader /> : null}
      {data ? (
        <>
          <Box mb="xxl" style={grid(190)}>
            {data.cards.map((c) => {
              const body = (
                <Box variant="card" p="lg" style={{ borderRadius: 8, height: '100%' }}>
                  <Text style={{ ...muted, fontSize: 13 }}>{c.label}</Text>
                  <Text style={{ fontSize: 28, fontWeight: 600, margin: '6px 0 2px' }}>{c.value}</Text>
                  {c.hint ? <Text style={{ ...muted, fontSize: 12 }}>{c.hint}</Text> : null}
                </Box>
              );
              return c.href ? (
                <Link key={c.label} to={c.href} style={{ color: 'inherit', textDecoration: 'none' }}>
                  {body}
                </Link>
              ) : (
                <div key={c.label}>{body}</div>
              );
            })}
          </Box>
          <Box mb="xxl">
            <Panel title={`${metric === 'tokens' ? 'Tokens' : 'Requests'} per day by model, last ${data.days} days`} testId="usage-panel">
              <Box mb="lg" style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
                {[7, 30, 90].map((d) => (
                  <Button key={d} size="sm" variant={d === days ? 'contained' : 'outlined'} onClick={() => setDays(d)} data-testid={`days-${d}`}>
                    {d} days
                  </Button>
                ))}
                <span style={{ width: 16 }} />
                {(['tokens', 'requests'] as const).map((m) => (
                  <Button key={m} size="sm" variant={m === metric ? 'contained' : 'outlined'} onClick={() => setMetric(m)}>
                    {m === 'tokens' ? 'Tokens' : 'Requests'}
                  </Button>
                ))}
              </Box>
              <UsageChart series={data.series} metric={metric} />
            </Panel>
          </Box>
          <Box mb="xxl" style={grid(320)}>
            {data.top.organizations.length ? (
              <Panel title="Top organizations">
                <TopTable rows={data.top.organizations} />
              </Panel>
            ) : null}
            <Panel title="Top models">
              <TopTable rows={data.top.models} />
            </Panel>
            {data.top.users.length ? (
              <Panel title="Top users">
                <TopTable rows={data.top.users} />
              </Panel>
            ) : null}
            <Panel title="Top API keys">
              <TopTable rows={data.top.keys} />
            </Panel>
          </Box>
          <Box mb="xxl" style={grid(320)}>
            <Panel title="Quotas nearest their limit" testId="quota-gauges">
              {data.gauges.length ? data.gauges.map((g) => <GaugeBar key={`${g.subjectId}${g.metric}${g.period}${g.name}`} g={g} />) : <Text style={muted}>No quota in use has a limit.</Text>}
            </Panel>
            <Panel title={`Refusals (429) by limit, last ${data.days} days`} testId="refusals">
              {data.refusals.length ? (
                <Table>
                  <TableBody>
                    {data.refusals.map((r) => (
                      <TableRow key={r.code}>
                        <TableCell>{r.code}</TableCell>
                        <TableCell style={{ textAlign: 'right' }}>{grouped(r.count)}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              ) : (
                <Text style={muted}>No request was refused.</Text>
              )}
            </Panel>
            {data.audit.length ? (
              <Panel title="Latest audit events">
                <Table>
                  <TableBody>
                    {data.audit.map((a) => (
                      <TableRow key={a.id}>
                        <TableCell style={{ whiteSpace: 'nowrap' }}>{new Date(a.occurredAt).toLocaleString()}</TableCell>
                        <TableCell>
                          <Link to={a.href}>{a.action}</Link> · {a.resource}
                        </TableCell>
                        <TableCell>{a.actorLabel ?? 'system'}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </Panel>
            ) : null}
          </Box>
        </>
      ) : null}
    </Box>
  );
};

export default Dashboard;
