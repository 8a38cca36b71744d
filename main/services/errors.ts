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
