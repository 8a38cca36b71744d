/**
 * Errors services throw for the user: each maps to an ApiError code at the boundary and is shown
 * as its message alone (no stack). Anything else is an internal error.
 */
import type { ApiError } from '../../shared/api/types';

export class ServiceError extends Error {
  constructor(
    message: string,
    readonly code: ApiError['code'],
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export class NotFoundError extends ServiceError {
  constructor(message: string) {
    super(message, 'not-found');
  }
}

export class BadRequestError extends ServiceError {
  constructor(message: string) {
    super(message, 'bad-request');
  }
}

const READ_ONLY =
  'A read-only workspace can be browsed, not changed: check the folder’s permissions, or use another workspace.';

/** What a file-system error code means for the user, and what to do about it. */
const SYSTEM_PROBLEMS: Record<string, string> = {
  ENOSPC: 'no space left on the disk (ENOSPC). Free some space and try again.',
  EDQUOT: 'the disk quota is used up (EDQUOT). Free some space and try again.',
  EROFS: `the file system is read-only (EROFS). ${READ_ONLY}`,
  EACCES: `permission denied (EACCES). ${READ_ONLY}`,
  EPERM: `operation not permitted (EPERM). ${READ_ONLY}`,
};

/**
 * A disk-full or permission failure is the machine's state, not a bug: a ServiceError naming the
 * file and what to do, or null for any other error.
 */
export function systemError(error: unknown): ServiceError | null {
  const e = error as NodeJS.ErrnoException | null;
  const problem = typeof e?.code === 'string' ? SYSTEM_PROBLEMS[e.code] : undefined;
  if (!problem) return null;
  return new ServiceError(`${e!.path ? `${e!.path}: ` : ''}${problem}`, 'bad-request');
}
