import type { Response } from 'express';

/**
 * Sends an export's chunks as they come, waiting for the socket to drain
 * (backpressure: a slow client never makes us buffer the export), and stops
 * reading (returns the generator, which lets go of the database) when the
 * client goes away. The first chunk (the header line) proves the request was
 * allowed before any byte is sent, so a refusal is still a status code. A
 * failure after that destroys the response rather than end it: a cut-off
 * export must not look complete.
 */
export async function streamCsv(res: Response, filename: string, chunks: AsyncGenerator<string | Buffer>): Promise<void> {
  let closed = false;
  res.on('close', () => (closed = true));
  const first = await chunks.next();
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
  let failed = false;
  try {
    if (first.done) return;
    if (!res.write(first.value)) await drained();
    for await (const chunk of chunks) {
      if (closed) break;
      if (!res.write(chunk)) await drained();
    }
  } catch (e) {
    failed = true;
    res.destroy(); // the client sees a broken transfer, never a short file that looks whole
    throw e;
  } finally {
    if (!failed) res.end();
  }
}
