/**
 * The preload: exposes exactly the contract, nothing more. One namespaced object, the call
 * names from the contract, an allowlist of event channels. Runs sandboxed.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { callNames, eventNames, type Bridge, type CallName, type Envelope, type EventName } from './contract.ts';

const allowedCalls = new Set<string>(callNames);
const allowedEvents = new Set<string>(eventNames);

const bridge: Bridge = {
  invoke(name: CallName, args: unknown): Promise<Envelope> {
    if (!allowedCalls.has(name)) {
      return Promise.resolve({ ok: false, error: { code: 'bad-call', message: `unknown call "${String(name)}"` } });
    }
    return ipcRenderer.invoke('mindflow:call', name, args);
  },
  on(event: EventName, listener: (payload: unknown) => void): () => void {
    if (!allowedEvents.has(event)) throw new Error(`unknown event "${String(event)}"`);
    const channel = `mindflow:event:${event}`;
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
  /** The path of a file dropped on the window or chosen with an <input type=file>. */
  pathForFile(file: unknown): string {
    return webUtils.getPathForFile(file as File);
  },
};

contextBridge.exposeInMainWorld('mindflow', bridge);
