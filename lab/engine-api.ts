// The few Docker Engine API calls the lab makes itself, over the engine's unix socket. (Tests and
// the agent use dockerode or the docker CLI; the lab only needs to ping, load, list and remove.)

import { request } from 'node:http';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { LabError } from './errors.js';

interface EngineResponse {
  readonly status: number;
  readonly body: string;
}

function call(
  socketPath: string,
  method: string,
  path: string,
  body?: Readable,
  timeoutMs = 30_000,
): Promise<EngineResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path,
        timeout: timeoutMs,
        headers: body ? { 'Content-Type': 'application/x-tar' } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body) {
      body.on('error', (e) => req.destroy(e));
      body.pipe(req);
    } else {
      req.end();
    }
  });
}

function refuse(socketPath: string, what: string, r: EngineResponse): LabError {
  return new LabError(
    'LAB_ENGINE_API',
    `engine at ${socketPath}: ${what} answered ${r.status}: ${r.body.trim()}`,
  );
}

/** True once the engine answers /_ping with OK. */
export async function ping(socketPath: string): Promise<boolean> {
  try {
    const r = await call(socketPath, 'GET', '/_ping', undefined, 2_000);
    return r.status === 200 && r.body === 'OK';
  } catch {
    return false;
  }
}

/** `docker load` of an image tarball (docker save format). */
export async function loadImage(socketPath: string, tarPath: string): Promise<void> {
  const r = await call(socketPath, 'POST', '/images/load?quiet=1', createReadStream(tarPath));
  // The answer is a JSON stream; a failure can arrive inside a 200.
  if (r.status !== 200 || r.body.includes('"errorDetail"')) throw refuse(socketPath, 'image load', r);
}

/** The id of an image by reference, or undefined if the engine does not have it. */
export async function imageId(socketPath: string, ref: string): Promise<string | undefined> {
  const r = await call(socketPath, 'GET', `/images/${encodeURIComponent(ref)}/json`);
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw refuse(socketPath, `image inspect ${ref}`, r);
  const parsed: unknown = JSON.parse(r.body);
  if (typeof parsed === 'object' && parsed !== null && 'Id' in parsed && typeof parsed.Id === 'string') {
    return parsed.Id;
  }
  throw refuse(socketPath, `image inspect ${ref}`, r);
}

/** The ids of every container, running or not. */
export async function containerIds(socketPath: string): Promise<string[]> {
  const r = await call(socketPath, 'GET', '/containers/json?all=1');
  if (r.status !== 200) throw refuse(socketPath, 'container list', r);
  const parsed: unknown = JSON.parse(r.body);
  if (!Array.isArray(parsed)) throw refuse(socketPath, 'container list', r);
  return parsed.flatMap((c: unknown) =>
    typeof c === 'object' && c !== null && 'Id' in c && typeof c.Id === 'string' ? [c.Id] : [],
  );
}

/** `docker rm -f -v`; a container already gone is fine. */
export async function removeContainer(socketPath: string, id: string): Promise<void> {
  const r = await call(socketPath, 'DELETE', `/containers/${id}?force=1&v=1`);
  if (r.status !== 204 && r.status !== 404 && r.status !== 409) {
    throw refuse(socketPath, `container remove ${id}`, r);
  }
}
