import { createRequire } from 'node:module';

/** The app's version, from package.json: what every model package and report records. */
export const APP_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
