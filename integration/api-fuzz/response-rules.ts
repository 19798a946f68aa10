// What the fuzzer accepts as an answer. Every request gets a 2xx or 4xx within the time bound.
// The only 5xx Docker itself gives for a client's request and the cluster's state are allowed
// too: 501 (something swarm refuses to do: rename, mode change) and 503 when this node is
// already in a swarm (init, join), a manager refuses to leave without --force, or the cluster
// truly has no leader (the probe after the request says so). Anything else (500, a 503 while
// the manager leads, no answer, a dropped connection) is a failure.

import type { ChildProbeResult } from './child-manager.js';
import type { RequestOutcome } from './request-driver.js';

/** Docker's 503 messages that describe the node's swarm membership, not a failure. */
const MEMBERSHIP_503 = [
  'This node is already part of a swarm.',
  'You are attempting to leave the swarm on a node that is participating as a manager.',
];

function messageOf(body: string): string {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    return typeof m === 'string' ? m : body;
  } catch {
    return body;
  }
}

/** Why the answer breaks the properties, or undefined when it is acceptable. */
export function judgeAnswer(
  outcome: RequestOutcome,
  timeoutMs: number,
  after: ChildProbeResult,
): string | undefined {
  if (outcome.kind === 'timeout') return `no answer within ${timeoutMs} ms`;
  if (outcome.kind === 'connection') {
    // A server refuses an oversized request with 431/413 and closes at once; the client may
    // see the reset first. The probe after it tells whether the server lives.
    if (outcome.oversized && /ECONNRESET|EPIPE|socket hang up/.test(outcome.error)) return undefined;
    return `the connection failed after ${outcome.ms} ms: ${outcome.error}`;
  }
  const { status } = outcome;
  const message = messageOf(outcome.body).slice(0, 500);
  if (status >= 200 && status < 500) return undefined;
  if (status === 501) return undefined;
  if (status === 503) {
    if (MEMBERSHIP_503.some((m) => message.startsWith(m))) return undefined;
    if (after.kind === 'answered' && after.leaderId === 0) return undefined;
    return `503 while the manager leads: ${message}`;
  }
  return `${status}: ${message}`;
}

/** Why the manager's state after a request breaks the properties, or undefined. */
export function judgeHealth(after: ChildProbeResult, timeoutMs: number): string | undefined {
  if (after.kind === 'dead') return `the manager process died (${after.exit})`;
  if (after.kind === 'late') return `the manager's event loop did not turn within ${timeoutMs} ms`;
  if (!after.leads) return `the only manager no longer leads (it knows leader ${after.leaderId})`;
  return undefined;
}
