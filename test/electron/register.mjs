/**
 * `node --import ./test/electron/register.mjs out/main/index.js`: the built main process, with
 * `electron` resolved to the stand-in beside this file (see stand-in.mjs).
 */
import { register } from 'node:module';

const standIn = new URL('./stand-in.mjs', import.meta.url).href;
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: ${JSON.stringify(standIn)}, shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
