// Writes that reach a follower manager: its store refuses them with NotLeaderError, and the
// whole HTTP request is sent to the leader's API; its answer is relayed as it came.
//
// Across a leader change the forward is retried, briefly and only when nothing can have run:
// the local store refuses a write before proposing it (NotLeaderError), and the SwarmControl
// says LeaderNotReachedError only when no leader ran the request (none known, no connection
// established, or the manager asked was no longer leading and refused it first). Each attempt
// runs the handler again, so a manager that has just become the leader serves it itself. A
// request that may have reached the leader before its answer was lost is never sent again (a
// create would be made twice): the SwarmControl answers that with its own 503. When the budget
// runs out the client gets Docker's "does not have a leader" 503, never raw gRPC text.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotLeaderError } from '../../api/errors.js';
import { LeaderNotReachedError, noLeader } from './control-errors.js';
import { rawBodyOf } from './request-body.js';
import type { SwarmControl } from './swarm-control.js';

/** Headers that describe one hop and must not be relayed. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'host',
  'content-length',
]);

function singleValued(headers: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (HOP_BY_HOP.has(k) || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** How long a forward is retried across a leader change, and how. */
export interface ForwardRetry {
  /** Most time spent waiting for a leader before answering 503 (an election takes 1–2 s). */
  readonly budgetMs: number;
  readonly firstPauseMs: number;
  readonly maxPauseMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_FORWARD_RETRY: ForwardRetry = {
  budgetMs: 3_000,
  firstPauseMs: 100,
  maxPauseMs: 1_000,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Runs `handler`; if it fails with NotLeaderError, forwards the request to the leader and
 * relays the answer instead, retrying (handler first) while no leader could be reached.
 */
export async function withForwarding(
  control: SwarmControl,
  request: FastifyRequest,
  reply: FastifyReply,
  handler: () => Promise<unknown>,
  retry: ForwardRetry = DEFAULT_FORWARD_RETRY,
): Promise<unknown> {
  const started = retry.now();
  let pause = retry.firstPauseMs;
  for (;;) {
    try {
      return await handler();
    } catch (e: unknown) {
      if (!(e instanceof NotLeaderError)) throw e;
    }
    let answer;
    try {
      answer = await control.forwardToLeader({
        method: request.method,
        url: request.originalUrl,
        headers: singleValued(request.headers),
        body: rawBodyOf(request),
      });
    } catch (e: unknown) {
      if (!(e instanceof LeaderNotReachedError)) throw e;
      if (retry.now() - started + pause > retry.budgetMs) {
        request.log.warn({ reason: e.message, url: request.originalUrl }, 'no leader to forward to');
        throw noLeader();
      }
      await retry.sleep(pause);
      pause = Math.min(pause * 2, retry.maxPauseMs);
      continue;
    }
    reply.code(answer.status);
    for (const [k, v] of Object.entries(answer.headers)) {
      if (!HOP_BY_HOP.has(k.toLowerCase())) reply.header(k, v);
    }
    return reply.send(Buffer.from(answer.body));
  }
}
