#!/usr/bin/env node
// npm `bin` entries must be JavaScript: register tsx, then run the TypeScript CLI unchanged.
import { register } from 'tsx/esm/api';

register();
await import('./zoomlake.ts');
