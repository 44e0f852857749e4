import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; secrets are redacted wherever they might appear. */
export function createLogger(level: string): Logger {
  return pino({
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
  });
}
