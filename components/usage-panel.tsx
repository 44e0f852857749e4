import React, { useEffect, useState } from 'react';
import { Box, Button, H4 } from '@adminjs/design-system';
import { ApiClient, type BasePropertyProps } from 'adminjs';
import { UsageChart, type UsageSeries } from './usage-chart.js';

const api = new ApiClient();

/** A show page's usage over time (organization, user, realm, API key): the record's hidden usageChart action, from rollups. */
const UsagePanel: React.FC<BasePropertyProps> = ({ record, resource }) => {
  const [days, setDays] = useState(30);
  const [metric, setMetric] = useState<'tokens' | 'requests'>('tokens');
  const [series, setSeries] = useState<UsageSeries | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!record?.id) return;
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'usageChart', params: { days } } as any)
      .then((res) => setSeries((res.data as { series?: UsageSeries }).series ?? null))
      .catch(() => setFailed(true));
  }, [record?.id, days]);
  return (
    <Box mb="xl" data-testid="usage-panel">
      <H4 mb="md">Usage, last {days} days</H4>
      <Box mb="md" style={{ display: 'flex', gap: 8 }}>
        {[7, 30, 90].map((d) => (
          <Button key={d} type="button" size="sm" variant={d === days ? 'contained' : 'outlined'} onClick={() => setDays(d)}>
            {d} days
          </Button>
        ))}
        {(['tokens', 'requests'] as const).map((m) => (
          <Button key={m} type="button" size="sm" variant={m === metric ? 'contained' : 'outlined'} onClick={() => setMetric(m)}>
            {m === 'tokens' ? 'Tokens' : 'Requests'}
          </Button>
        ))}
      </Box>
      {failed ? <div>The usage could not be loaded.</div> : series ? <UsageChart series={series} metric={metric} height={200} /> : null}
    </Box>
  );
};

export default UsagePanel;
