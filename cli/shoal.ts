#!/usr/bin/env node
// The `shoal` CLI: talks to the local shoald over the Docker Engine API (swarm subset).
import { readFileSync } from 'node:fs';
import { systemClock } from './commands/context.js';
import { runCli } from './program.js';

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const parsed: unknown = JSON.parse(text);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'version' in parsed &&
      typeof parsed.version === 'string'
    ) {
      return parsed.version;
    }
  } catch {
    // fall through
  }
  return 'unknown';
}

const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});

const code = await runCli(process.argv.slice(2), {
  io: {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    columns: process.stdout.columns ?? 80,
  },
  env: process.env,
  clock: systemClock,
  interrupt: interrupt.signal,
  version: packageVersion(),
});
process.exitCode = code;
