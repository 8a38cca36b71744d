/**
 * Sandboxed preload: exposes one object, `window.workbench`, with a Transport that forwards only
 * the contract's channels and events. Only plain functions and values cross contextBridge.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CHANNELS, EVENTS } from '../shared/api/contract';

const channels = new Set<string>(CHANNELS);
const events = new Set<string>(EVENTS);

contextBridge.exposeInMainWorld('workbench', {
  kind: 'electron',
  async invoke(channel: string, ...args: unknown[]) {
    if (!channels.has(channel)) throw new Error(`unknown channel ${channel}`);
    const reply = (await ipcRenderer.invoke(channel, ...args)) as
      { ok: true; result: unknown } | { ok: false; error: { message: string; code: string } };
    if (reply.ok) return reply.result;
    const error = new Error(reply.error.message);
    (error as Error & { code?: string }).code = reply.error.code;
    throw error;
  },
  on(event: string, listener: (payload: unknown) => void) {
    if (!events.has(event)) throw new Error(`unknown event ${event}`);
    const wrapped = (_e: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => ipcRenderer.removeListener(event, wrapped);
  },
  /** Path of a dropped File, registered with the main process so an import may read it. */
  async droppedFilePath(file: File): Promise<string | null> {
    const path = webUtils.getPathForFile(file);
    if (!path) return null;
    return (await ipcRenderer.invoke('file-dropped', path)) ? path : null;
  },
});
