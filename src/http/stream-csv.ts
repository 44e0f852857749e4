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
  if (!first.done && !res.write(first.value)) await drained(res);
  try {
    for await (const chunk of lines) {
      if (controller.signal.aborted) break;
      if (!res.write(chunk)) await drained(res);
    }
  } finally {
    res.end();
  }
}

/** Resolves when the socket takes more (or is gone), leaving no listener behind. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
