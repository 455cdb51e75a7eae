import type { Api } from '../../../preload/contract';

export interface UploadHandle {
  /** resolves to the path the host stored the file under */
  done: Promise<string>;
  abort(): void;
}

export interface Transport {
  host: 'electron' | 'web';
  api: Api;
  /** Electron: the real path of a dropped/chosen file; web: null (files are uploaded). */
  pathForFile: ((file: File) => string) | null;
  /** Web: streams a file to the host; Electron: null (the core reads the path itself). */
  upload: ((file: File, onProgress: (fraction: number) => void) => UploadHandle) | null;
  /**
   * Web: tells when the host's event stream goes down and comes back (events sent meanwhile are
   * lost); Electron: null (main and the window live and die together).
   */
  watchConnection: ((listener: (up: boolean) => void) => () => void) | null;
}
