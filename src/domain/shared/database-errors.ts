import { Prisma } from '@prisma/client';
import { pgErrorCode } from '../realms/pg-error-code.js';
import { AppError } from './app-error.js';

/**
 * A database refusal caused by the request's data, as the AppError a caller
 * can act on; null for anything else (a real fault, answered 500 and logged).
 * Constraint names and SQL never reach the message.
 */
export function appErrorFromDatabase(e: unknown): AppError | null {
  if (e instanceof Prisma.PrismaClientValidationError) return new AppError('INVALID', 'A value is of the wrong kind');
  const code = pgErrorCode(e) ?? (e instanceof Prisma.PrismaClientKnownRequestError ? e.code : undefined);
  switch (code) {
    case '23505':
    case 'P2002':
      return new AppError('CONFLICT', 'A record with these values already exists');
    case '23503':
    case 'P2003':
      return new AppError('CONFLICT', 'Other records still refer to this one (or a referenced record does not exist)');
    case 'P2025':
      return new AppError('NOT_FOUND', 'Record not found');
    case '23514':
    case '23502':
    case '22P02':
    case '22003':
    case '22001':
    case '22007':
    case '22008':
    case 'P2000':
    case 'P2006':
    case 'P2007':
    case 'P2011':
    case 'P2012':
    case 'P2019':
    case 'P2020':
      return new AppError('INVALID', 'A value is out of range or of the wrong kind');
    default:
      return null;
  }
}
