// Request bodies: JSON as Docker reads it (an empty body is the zero value), with the raw
// bytes kept so a follower can forward the request to the leader unchanged. Other content
// types are accepted only without a body (Docker's client sends text/plain on empty POSTs).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidParameter } from './errors.js';

const raw = new WeakMap<FastifyRequest, Buffer>();

/** The bytes of the request's body as received (empty when it had none). */
export function rawBodyOf(request: FastifyRequest): Uint8Array {
  return raw.get(request) ?? new Uint8Array(0);
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: 16 << 20 },
    (request, body: Buffer, done) => {
      raw.set(request, body);
      if (body.length === 0) {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(body.toString('utf8')) as unknown);
      } catch (e: unknown) {
        done(invalidParameter(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`), undefined);
      }
    },
  );
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 << 20 }, (request, body: Buffer, done) => {
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
  });
}
