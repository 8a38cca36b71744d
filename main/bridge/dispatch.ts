/**
 * The one place a transport hands a request to the services: checks the channel against the
 * contract, validates the argument with its schema, calls the handler, and turns any failure
 * into an ApiError with a user-facing message (internal errors are logged, never shown with a
 * stack).
 */
import { isChannel, validateRequest } from '../../shared/api/contract';
import type { WorkbenchApi } from '../../shared/api/contract';
import type { ApiError } from '../../shared/api/types';
import { ServiceError, systemError } from '../services/errors';
import { CancelledError } from '../services/jobs/jobs';
import { WorkspaceBusyError } from '../services/workspace/lock';

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiError };

/** Maps a thrown value to the ApiError shape shown to users. */
export function toApiError(error: unknown, log: (e: unknown) => void = console.error): ApiError {
  if (error instanceof ServiceError) return { code: error.code, message: error.message };
  if (error instanceof CancelledError) return { code: 'cancelled', message: error.message };
  if (error instanceof WorkspaceBusyError) return { code: 'busy', message: error.message };
  if (error instanceof Error && error.name === 'DatasetImportError') {
    const e = error as Error & { file?: string; line?: number };
    return {
      code: 'bad-input',
      message: e.message,
      ...(e.file ? { file: e.file } : {}),
      ...(e.line ? { line: e.line } : {}),
    };
  }
  const system = systemError(error);
  if (system) return { code: system.code, message: system.message };
  log(error);
  return {
    code: 'internal',
    message: `Internal error: ${error instanceof Error ? error.message : String(error)}. Please report it with the log.`,
  };
}

export async function dispatch(
  handlers: WorkbenchApi,
  channel: unknown,
  args: unknown,
  log?: (e: unknown) => void,
): Promise<DispatchResult> {
  if (!isChannel(channel)) {
    return {
      ok: false,
      error: { code: 'bad-request', message: `unknown channel ${JSON.stringify(channel)}` },
    };
  }
  if (!Array.isArray(args)) {
    return { ok: false, error: { code: 'bad-request', message: 'args must be an array' } };
  }
  const checked = validateRequest(channel, args);
  if (!checked.ok) return { ok: false, error: { code: 'bad-request', message: checked.message } };
  try {
    const method = handlers[channel] as (arg?: unknown) => Promise<unknown>;
    const result =
      checked.value === undefined
        ? await method.call(handlers)
        : await method.call(handlers, checked.value);
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error: toApiError(error, log) };
  }
}
