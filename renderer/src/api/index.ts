import type { Bridge } from '../../../preload/contract';
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

/** Electron's preload exposes `window.mindflow`; anywhere else we are served by the web host. */
export function chooseTransport(): Transport {
  return window.mindflow ? electronTransport(window.mindflow) : webTransport();
}
