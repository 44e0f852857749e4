import type { Response } from 'express';

/**
 * Sends CSV lines as they come, waiting for the socket to drain (backpressure:
 * a slow client never makes us buffer the export), and stops reading the
 * database when the client goes away.
 */
export async function streamCsv(res: Response, filename: string, produce: (signal: AbortSignal) => AsyncGenerator<string>): Promise<void> {
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  const lines = produce(controller.signal);
  // The first chunk (header) proves the request was allowed before any byte is sent.
  const first = await lines.next();
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  // One 'drain' listener for the whole export: the compression middleware
  // forwards res.on('drain') to its gzip stream but not res.off, so a listener
  // added per wait would stay there, one more for every full socket buffer.
  let wake: (() => void) | null = null;
  const resume = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  res.on('drain', resume);
  res.on('close', resume);
  const drained = () => new Promise<void>((resolve) => (res.destroyed || res.writableEnded ? resolve() : (wake = resolve)));
  if (!first.done && !res.write(first.value)) await drained();
  try {
    for await (const chunk of lines) {
      if (controller.signal.aborted) break;
      if (!res.write(chunk)) await drained();
    }
  } finally {
    res.end();
  }
}
