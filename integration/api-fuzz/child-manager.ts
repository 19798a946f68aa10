// The parent's handle on a child manager process (manager-child.ts): start it (fresh or resumed
// on the same data directory), probe it, see how it died, stop it. Its stderr is kept (the tail)
// so a crash's reason (`Fatal JavaScript invalid size error`, a stack) reaches the failure text.

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage } from './child-protocol.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./manager-child.js', import.meta.url));
const STDERR_TAIL_BYTES = 8192;

export interface ProbeAnswer {
  readonly leads: boolean;
  readonly leaderId: number;
  readonly rssBytes: number;
  readonly ms: number;
}

export type ChildProbeResult =
  | ({ readonly kind: 'answered' } & ProbeAnswer)
  | { readonly kind: 'late'; readonly ms: number }
  | { readonly kind: 'dead'; readonly exit: string };

export class ChildManagerError extends Error {
  readonly code = 'CHILD_MANAGER';
  constructor(message: string) {
    super(message);
    this.name = 'ChildManagerError';
  }
}

export class ChildManager {
  readonly dataDir: string;
  readonly socketPath: string;
  readonly nodeId: string;
  readonly #child: ChildProcess;
  #stderr = '';
  #exit: string | undefined;
  #nextProbe = 1;
  readonly #waiting = new Map<number, (m: Extract<ChildMessage, { type: 'probe' }>) => void>();
  readonly #ownsDir: boolean;

  private constructor(
    child: ChildProcess,
    dataDir: string,
    socketPath: string,
    nodeId: string,
    ownsDir: boolean,
  ) {
    this.#child = child;
    this.dataDir = dataDir;
    this.socketPath = socketPath;
    this.nodeId = nodeId;
    this.#ownsDir = ownsDir;
  }

  /**
   * Forks a child manager: a new swarm in a new temporary directory, or (given `dataDir`) the
   * manager that ran there before, resumed from its Raft log.
   */
  static async start(
    o: { readonly dataDir?: string; readonly readyMs?: number } = {},
  ): Promise<ChildManager> {
    const ownsDir = o.dataDir === undefined;
    const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'shoal-fuzz-')));
    const socketPath = join(dataDir, 'api.sock');
    const args = ['--data-dir', dataDir, '--socket', socketPath, ...(ownsDir ? [] : ['--resume'])];
    const child = fork(CHILD_SCRIPT, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    let stderr = '';
    let exit: string | undefined;
    const onErr = (chunk: Buffer): void => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    };
    child.stderr?.on('data', onErr);
    const nodeId = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new ChildManagerError(`the child manager was not ready in ${o.readyMs ?? 30_000} ms:\n${stderr}`),
        );
      }, o.readyMs ?? 30_000);
      child.on('message', (m: ChildMessage) => {
        if (m.type !== 'ready') return;
        clearTimeout(timer);
        resolve(m.nodeId);
      });
      child.once('exit', (code, signal) => {
        exit = `exited with code ${code} signal ${signal}`;
        clearTimeout(timer);
        reject(new ChildManagerError(`the child manager ${exit} before it was ready:\n${stderr}`));
      });
    });
    const handle = new ChildManager(child, dataDir, socketPath, nodeId, ownsDir);
    child.stderr?.off('data', onErr);
    handle.#stderr = stderr;
    handle.#exit = exit;
    child.stderr?.on('data', (chunk: Buffer) => {
      handle.#stderr = (handle.#stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    child.on('exit', (code, signal) => {
      handle.#exit = `exited with code ${code} signal ${signal}`;
      for (const resolve of handle.#waiting.values())
        resolve({ type: 'probe', id: 0, leads: false, leaderId: -1, rssBytes: 0 });
      handle.#waiting.clear();
    });
    child.on('message', (m: ChildMessage) => {
      if (m.type !== 'probe') return;
      handle.#waiting.get(m.id)?.(m);
      handle.#waiting.delete(m.id);
    });
    return handle;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** How the process ended (undefined while it runs). */
  get exit(): string | undefined {
    return this.#exit;
  }

  /** The last few KB the child wrote to stderr. */
  get stderrTail(): string {
    return this.#stderr;
  }

  /** Asks the child whether it lives, leads, and turns its event loop within `timeoutMs`. */
  async probe(timeoutMs: number): Promise<ChildProbeResult> {
    if (this.#exit !== undefined) return { kind: 'dead', exit: this.#exit };
    const id = this.#nextProbe++;
    const started = Date.now();
    const answer = await new Promise<Extract<ChildMessage, { type: 'probe' }> | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.#waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      const message: ParentMessage = { type: 'probe', id };
      try {
        this.#child.send(message);
      } catch {
        // The channel closed: the exit handler answers.
      }
    });
    const ms = Date.now() - started;
    if (this.#exit !== undefined) return { kind: 'dead', exit: this.#exit };
    if (answer === undefined) return { kind: 'late', ms };
    return {
      kind: 'answered',
      leads: answer.leads,
      leaderId: answer.leaderId,
      rssBytes: answer.rssBytes,
      ms,
    };
  }

  /** Stops the child cleanly (its state stays in `dataDir`); kills it if it does not stop in time. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.#exit !== undefined) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    const message: ParentMessage = { type: 'stop' };
    try {
      this.#child.send(message);
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Kills the child at once (SIGKILL), as a crash would; its state stays in `dataDir`. */
  async kill(): Promise<void> {
    if (this.#exit !== undefined) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGKILL');
    await exited;
  }

  /** Stops the child and removes the directory it made. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.#ownsDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}
