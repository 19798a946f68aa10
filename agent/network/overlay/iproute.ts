// iproute2 through HostCommands: batches (`ip -batch -`, `bridge -batch -`: one process for many
// changes, never one per entry) and JSON queries (`ip -j …`, `bridge -j …`).

import type { HostCommands } from './host-commands.js';

export type JsonRecord = Record<string, unknown>;

function records(stdout: string): JsonRecord[] {
  const text = stdout.trim();
  if (text === '') return [];
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((x): x is JsonRecord => typeof x === 'object' && x !== null);
}

export class IpRoute {
  constructor(readonly commands: HostCommands) {}

  /**
   * Runs the lines through `ip -batch -`. With `force`, every line is tried even after one fails
   * (the batch still rejects if any did); without, ip stops at the first failure.
   */
  async ip(lines: readonly string[], options: { force?: boolean; netns?: string } = {}): Promise<void> {
    if (lines.length === 0) return;
    const argv = [
      ...this.enter(options.netns),
      'ip',
      ...(options.force === true ? ['-force'] : []),
      '-batch',
      '-',
    ];
    await this.commands.run(argv, { input: lines.join('\n') + '\n' });
  }

  /** Runs the lines through `bridge -batch -` (see ip() for `force`). */
  async bridge(lines: readonly string[], options: { force?: boolean } = {}): Promise<void> {
    if (lines.length === 0) return;
    const argv = ['bridge', ...(options.force === true ? ['-force'] : []), '-batch', '-'];
    await this.commands.run(argv, { input: lines.join('\n') + '\n' });
  }

  /** `ip -j <args>` as records (e.g. ['-d', 'link', 'show']). */
  async ipJson(args: readonly string[]): Promise<JsonRecord[]> {
    return records((await this.commands.run(['ip', '-j', ...args])).stdout);
  }

  /** `ip -j <args>` as raw text, or undefined when ip fails (e.g. a device that does not exist). */
  async ipJsonText(args: readonly string[]): Promise<string | undefined> {
    const r = await this.commands.run(['ip', '-j', ...args], { allowFailure: true });
    return r.code === 0 ? r.stdout : undefined;
  }

  /** `bridge -j <args>` as raw text, or undefined when bridge fails. */
  async bridgeJsonText(args: readonly string[]): Promise<string | undefined> {
    const r = await this.commands.run(['bridge', '-j', ...args], { allowFailure: true });
    return r.code === 0 ? r.stdout : undefined;
  }

  /** The links whose alias starts with `prefix` (how shoal marks what it made). */
  async linksWithAlias(prefix: string): Promise<{ name: string; alias: string }[]> {
    return (await this.ipJson(['link', 'show'])).flatMap((l) => {
      const name = l['ifname'];
      const alias = l['ifalias'];
      return typeof name === 'string' && typeof alias === 'string' && alias.startsWith(prefix)
        ? [{ name, alias }]
        : [];
    });
  }

  /** Whether a link of that name exists. */
  async linkExists(name: string): Promise<boolean> {
    return (await this.ipJsonText(['link', 'show', 'dev', name])) !== undefined;
  }

  private enter(netns: string | undefined): string[] {
    return netns === undefined ? [] : ['nsenter', `--net=${netns}`, '--'];
  }
}
