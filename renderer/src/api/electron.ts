import type { Bridge } from '../../../preload/contract';
import { buildApi } from './build';
import type { Transport } from './transport';

export function electronTransport(bridge: Bridge): Transport {
  return {
    host: 'electron',
    api: buildApi(
      (name, args) => bridge.invoke(name, args),
      (event, listener) => bridge.on(event, listener),
    ),
    pathForFile: (file) => bridge.pathForFile(file),
    upload: null,
    watchConnection: null,
  };
}
