// bench:scale's export server: the app alone in this process, so that its
// memory is the export's. The parent asks over IPC: 'memory' answers current
// and peak RSS/heap, 'sample' resets the peaks and samples every 20 ms.
import { startBenchServer } from './scale-server.js';
import { BENCH_PASSWORD } from './scale-data.js';

const server = await startBenchServer({ appUrl: process.env.BENCH_APP_URL!, systemUrl: process.env.BENCH_SYSTEM_URL! });
const cookie = await server.signIn('root@bench.example', BENCH_PASSWORD);
let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
let timer: NodeJS.Timeout | undefined;
process.on('message', (m) => {
  if (m === 'sample') {
    peakRss = 0;
    peakHeap = 0;
    sample();
    timer = setInterval(sample, 20);
  }
  if (m === 'memory') {
    sample();
    const now = process.memoryUsage();
    process.send!({ rss: now.rss, heapUsed: now.heapUsed, peakRss, peakHeap });
  }
});
process.on('SIGTERM', () => {
  clearInterval(timer);
  server.close().finally(() => process.exit(0));
});
process.send!({ url: server.url, cookie });
