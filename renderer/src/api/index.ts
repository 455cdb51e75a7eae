import type { Bridge } from '../../../preload/contract';
import { unreachableTransport } from './build';
import { electronTransport } from './electron';
import type { Transport } from './transport';
import { webTransport } from './web';

export type { Transport, UploadHandle } from './transport';
export { ApiError } from './build';

declare global {
  interface Window {
    mindflow?: Bridge;
  }
}

/** Why the desktop window has no way to its main process: its preload did not run. */
export const NO_BRIDGE =
  "the desktop app's bridge to its main process did not load (its preload script failed), so nothing can be read or done; reinstall MindFlow Workbench, or start it from a terminal to see why";

/**
 * Electron's preload exposes `window.mindflow`; anywhere else we are served by the web host. A
 * page from file:// is the desktop app's: without the bridge every call says why, rather than
 * trying a web host that is not there.
 */
export function chooseTransport(): Transport {
  if (window.mindflow) return electronTransport(window.mindflow);
  if (window.location.protocol === 'file:') return unreachableTransport('electron', NO_BRIDGE);
  return webTransport();
}
