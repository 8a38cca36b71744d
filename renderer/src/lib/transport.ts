/**
 * Picks the host at startup (netron's one-UI-two-hosts idea): the Electron preload's
 * `window.workbench` when present, else the browser host's WebSocket bridge.
 */
import type { Transport } from '../../../shared/api/contract';
import { ApiCallError, connectWebSocket } from './ws-transport';

interface ElectronBridge extends Transport {
  droppedFilePath(file: File): Promise<string | null>;
}

export function electronBridge(): ElectronBridge | undefined {
  return (window as unknown as { workbench?: ElectronBridge }).workbench;
}

export async function connectTransport(): Promise<Transport> {
  const bridge = electronBridge();
  if (bridge) {
    // Errors cross contextBridge as plain Errors; re-wrap them so the UI sees one error type.
    return {
      kind: 'electron',
      invoke: ((channel: never, ...args: never[]) =>
        (bridge.invoke as (c: never, ...a: never[]) => Promise<unknown>)(channel, ...args).catch(
          (error: Error & { code?: string }) => {
            throw new ApiCallError({
              code: (error.code as never) ?? 'internal',
              message: error.message,
            });
          },
        )) as Transport['invoke'],
      on: bridge.on,
    };
  }
  const protocol = location.protocol === 'https:' ? 'wss' : 'ws';
  return connectWebSocket(`${protocol}://${location.host}/bridge`);
}

/** Browser host: sends a File to the host's upload endpoint; returns the upload id. */
export async function uploadFile(file: File): Promise<{ upload: string }> {
  const response = await fetch(`/upload?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    body: file,
    credentials: 'same-origin',
  });
  if (!response.ok) throw new Error(`${file.name}: ${await response.text()}`);
  const body = (await response.json()) as { upload: string };
  return { upload: body.upload };
}
