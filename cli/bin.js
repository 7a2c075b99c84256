#!/usr/bin/env node
// The `jobs` bin: runs the TypeScript CLI through tsx's loader (the same program as `npm run jobs`).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
