// Request bodies: JSON as Docker reads it (an empty body is the zero value), with the raw
// bytes kept so a follower can forward the request to the leader unchanged. Other content
// types are accepted only without a body (Docker's client sends text/plain on empty POSTs).
// A JSON body is bounded as it arrives (json-limits.ts): its size (413) and its nesting
// (400), both refused before JSON.parse sees it.

import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, invalidParameter } from './errors.js';
import { JSON_BODY_MAX_BYTES, JSON_MAX_DEPTH, JsonDepthScanner } from './json-limits.js';

const raw = new WeakMap<FastifyRequest, Buffer>();

/** The bytes of the request's body as received (empty when it had none). */
export function rawBodyOf(request: FastifyRequest): Uint8Array {
  return raw.get(request) ?? new Uint8Array(0);
}

/** 413 in Docker's error shape. */
export function bodyTooLarge(): ApiError {
  return new ApiError(
    413,
    `request body is larger than the limit of ${JSON_BODY_MAX_BYTES} bytes`,
    'BODY_TOO_LARGE',
  );
}

export function bodyTooDeep(): ApiError {
  return invalidParameter(`invalid JSON: nested deeper than the limit of ${JSON_MAX_DEPTH} levels`);
}

type Done = (err: Error | null, body?: unknown) => void;

/**
 * Reads a JSON body chunk by chunk: a body past the size limit is refused at once (the rest of
 * the stream is left to the HTTP server to discard, as fastify does with its own body limit);
 * one past the depth limit is refused from its first bytes on, but the rest (within the size
 * limit) is read and dropped before answering, so the client, still sending, reads the 400
 * instead of a broken pipe. Then it is parsed.
 */
function readJson(request: FastifyRequest, payload: IncomingMessage, done: Done): void {
  const scanner = new JsonDepthScanner(JSON_MAX_DEPTH);
  const chunks: Buffer[] = [];
  let received = 0;
  let finished = false;
  let tooDeep: ApiError | undefined;
  const finish = (err: Error | null, body?: unknown): void => {
    if (finished) return;
    finished = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    done(err, body);
  };
  const onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    received += bytes.length;
    // Depth first: a deep body is refused as such (400), however long; nothing more is kept.
    if (tooDeep !== undefined) {
      if (received > JSON_BODY_MAX_BYTES) finish(tooDeep);
      return;
    }
    if (!scanner.push(bytes)) {
      tooDeep = bodyTooDeep();
      chunks.length = 0;
      if (received > JSON_BODY_MAX_BYTES) finish(tooDeep);
      return;
    }
    if (received > JSON_BODY_MAX_BYTES) return finish(bodyTooLarge());
    chunks.push(bytes);
  };
  const onEnd = (): void => {
    if (tooDeep !== undefined) return finish(tooDeep);
    const body = Buffer.concat(chunks, received);
    raw.set(request, body);
    if (body.length === 0) return finish(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8')) as unknown;
    } catch (e: unknown) {
      return finish(invalidParameter(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`));
    }
    finish(null, parsed);
  };
  const onError = (e: Error): void => finish(e);
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', (request, payload, done) => readJson(request, payload, done));
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: JSON_BODY_MAX_BYTES },
    (request, body: Buffer, done) => {
      raw.set(request, body);
      if (body.length === 0) {
        done(null, undefined);
        return;
      }
      const type = request.headers['content-type'] ?? '';
      done(
        invalidParameter(`unsupported Content-Type header (${type}): must be 'application/json'`),
        undefined,
      );
    },
  );
}
