#!/usr/bin/env node
// The CLI runs the TypeScript core directly through tsx: no build step for automation.
import { register } from 'tsx/esm/api';

register();
await import('../main/cli/index.ts');
