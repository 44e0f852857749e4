import { pino, type Logger } from 'pino';
import { stdout, type BoundedOutput } from './lifecycle/bounded-output.js';

export type { Logger };

/**
 * Structured JSON logs; secrets are redacted wherever they might appear. Lines
 * go to a bounded, non-blocking stdout (see lifecycle/bounded-output.ts): a log
 * reader that is gone or stuck costs log lines, never a hung process.
 */
export function createLogger(level: string, destination: BoundedOutput = stdout()): Logger {
  return pino(
    {
      level,
      base: { service: 'realmgate' },
      redact: {
        paths: [
          'password',
          '*.password',
          'secret',
          '*.secret',
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'headers.cookie',
          '*.passwordHash',
          '*.keyHash',
        ],
        censor: '[redacted]',
      },
    },
    destination as unknown as pino.DestinationStream,
  );
}
