/** Every failure the domain reports on purpose has one of these codes. */
export const ERROR_CODES = {
  INVALID: { status: 400, notice: 'error' },
  UNAUTHENTICATED: { status: 401, notice: 'error' },
  FORBIDDEN: { status: 403, notice: 'error' },
  NOT_FOUND: { status: 404, notice: 'error' },
  CONFLICT: { status: 409, notice: 'error' },
  /** A request body over the configured size (API_BODY_LIMIT). */
  PAYLOAD_TOO_LARGE: { status: 413, notice: 'error' },
  /** A request body that is not JSON. */
  UNSUPPORTED_MEDIA_TYPE: { status: 415, notice: 'error' },
  QUOTA_EXCEEDED: { status: 429, notice: 'error' },
  RATE_LIMITED: { status: 429, notice: 'error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
