// Worker entry when running from TypeScript sources (CLI, tests, web host via tsx): registers
// tsx in this thread, then loads the real worker. Bundled builds load worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
