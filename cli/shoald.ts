#!/usr/bin/env node
// shoald: the node daemon (agent, and manager when the node is one). Thin: set up the heap,
// then parse, start, wait (shoald-main.ts).
//
// The young generation is held before anything else is loaded (daemon/young-generation.ts):
// module loading is what would grow it, so the daemon is imported only after.

import { holdYoungGeneration } from '../daemon/young-generation.js';

holdYoungGeneration();
const { runShoald } = await import('./shoald-main.js');
runShoald();
