/**
 * In-process access to the API for the CLI and tests: the same channel check and schema
 * validation as the IPC and WebSocket transports, without a wire. Failures are rethrown as
 * ServiceErrors carrying the user-facing message.
 */
import { CHANNELS } from '../../shared/api/contract';
import type { WorkbenchApi } from '../../shared/api/contract';
import { ServiceError } from '../services/errors';
import { dispatch } from './dispatch';

export function validatedApi(handlers: WorkbenchApi, log?: (e: unknown) => void): WorkbenchApi {
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const channel of CHANNELS) {
    api[channel] = async (...args: unknown[]) => {
      const reply = await dispatch(handlers, channel, args, log);
      if (reply.ok) return reply.result;
      const error = new ServiceError(reply.error.message, reply.error.code);
      throw error;
    };
  }
  return api as unknown as WorkbenchApi;
}
