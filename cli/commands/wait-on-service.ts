// Shows a service converging (or stays silent with --quiet), on a terminal or as plain lines.
import {
  PlainProgressRenderer,
  TerminalProgressRenderer,
  type ProgressOutput,
} from '../format/progress-renderer.js';
import type { CliContext } from './context.js';
import { watchServiceProgress } from './progress/service-progress.js';

export async function waitOnService(ctx: CliContext, serviceId: string, quiet: boolean): Promise<void> {
  const out = (text: string): void => ctx.io.out(text);
  const renderer = ctx.io.stdoutIsTTY
    ? new TerminalProgressRenderer(out, ctx.io.columns)
    : new PlainProgressRenderer(out);
  const sink: ProgressOutput = quiet ? { write: () => undefined } : renderer;
  try {
    await watchServiceProgress(ctx.api(), serviceId, sink, ctx.clock, ctx.interrupt, ctx.programName);
  } finally {
    if (!quiet) renderer.finish();
  }
}
