// What every command needs: the daemon API, the terminal, a clock, the environment.
import type { DockerApi } from '../client/docker-api.js';

/** Time as a command waits on it (polling, progress): the time now, and an abortable sleep. */
export interface SleepClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: SleepClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly stdoutIsTTY: boolean;
  readonly columns: number;
  /** All of standard input (for `secret create NAME -`); the process's stdin when absent. */
  readStdin?(): Promise<Buffer>;
}

export interface CliContext {
  /** The daemon client, built from the global options on first use. */
  api(): DockerApi;
  readonly io: CliIO;
  readonly clock: SleepClock;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborts on SIGINT: long waits (progress, logs -f) stop and the command returns. */
  readonly interrupt: AbortSignal;
  /** The program name shown in messages ("shoal"). */
  readonly programName: string;
}
