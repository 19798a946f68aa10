// Pulling an image through the engine, bounded in time. The engine answers a pull with a stream
// of JSON progress objects; a failure shows up either as an HTTP error before the stream starts
// or as an `error` object inside it. Either way the caller gets the engine's own words, and a
// pull that makes no headway is cut off after `timeoutMs` instead of hanging the task.

import type Dockerode from 'dockerode';
import type { ProgressListener } from '../executor.js';
import {
  AbortedError,
  EngineError,
  ExecError,
  ImageNotFoundError,
  ImagePullError,
  ImagePullTimeoutError,
} from '../errors.js';
import { engineMessage, statusOf, toExecError } from './engine-errors.js';
import { parseImageReference, pullQuery } from './image-reference.js';
import { jsonLines } from './json-lines.js';
import type { RegistryAuth } from './registry-auth.js';

export interface PullOptions {
  /** The whole pull must finish within this many milliseconds. */
  timeoutMs: number;
  auth?: RegistryAuth;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Engine endpoint, for error messages. */
  endpoint: string;
}

const NOT_FOUND = /not found|does not exist|manifest unknown|pull access denied|repository .* not found/i;

function pullFailure(image: string, message: string): ImagePullError {
  return NOT_FOUND.test(message)
    ? new ImageNotFoundError(image, message)
    : new ImagePullError(image, message);
}

export async function pullImage(docker: Dockerode, image: string, options: PullOptions): Promise<void> {
  const timeout = new AbortController();
  const signals = options.signal === undefined ? [timeout.signal] : [timeout.signal, options.signal];
  const signal = AbortSignal.any(signals);
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  let lastProgress = '';
  const failed = (e: unknown): ExecError => {
    if (timeout.signal.aborted) return new ImagePullTimeoutError(image, options.timeoutMs, lastProgress);
    if (options.signal?.aborted === true) return new AbortedError(`pulling image ${image}`);
    if (e instanceof ExecError) return e;
    if (statusOf(e) >= 400) return pullFailure(image, engineMessage(e));
    return toExecError(`pulling image ${image}`, options.endpoint, e);
  };
  try {
    options.onProgress?.(`pulling image ${image}`);
    const query = { ...pullQuery(parseImageReference(image)), abortSignal: signal };
    let stream: NodeJS.ReadableStream;
    try {
      stream =
        options.auth === undefined
          ? await docker.createImage(query)
          : await docker.createImage(options.auth, query);
    } catch (e: unknown) {
      throw failed(e);
    }
    try {
      for await (const message of jsonLines(stream)) {
        const error = messageError(message);
        if (error !== undefined) throw pullFailure(image, error);
        const status = messageStatus(message);
        if (status !== '') lastProgress = status;
      }
    } catch (e: unknown) {
      throw failed(e);
    }
    if (signal.aborted) throw failed(new AbortedError(`pulling image ${image}`));
  } finally {
    clearTimeout(timer);
  }
  try {
    await docker.getImage(image).inspect();
  } catch (e: unknown) {
    if (statusOf(e) === 404) {
      throw new ImagePullError(
        image,
        `the engine finished pulling ${image} but does not have it (${engineMessage(e)})`,
      );
    }
    throw new EngineError(`inspecting image ${image}`, statusOf(e), engineMessage(e));
  }
}

/** Whether the engine already has the image. */
export async function hasImage(docker: Dockerode, image: string, endpoint: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (e: unknown) {
    if (statusOf(e) === 404) return false;
    throw toExecError(`inspecting image ${image}`, endpoint, e);
  }
}

function messageError(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as { error?: unknown; errorDetail?: { message?: unknown } };
  if (typeof m.errorDetail?.message === 'string' && m.errorDetail.message !== '')
    return m.errorDetail.message;
  if (typeof m.error === 'string' && m.error !== '') return m.error;
  return undefined;
}

function messageStatus(message: unknown): string {
  if (typeof message !== 'object' || message === null) return '';
  const m = message as { status?: unknown; id?: unknown };
  if (typeof m.status !== 'string') return '';
  return typeof m.id === 'string' && m.id !== '' ? `${m.id}: ${m.status}` : m.status;
}
