// Names of services and networks as swarmkit accepts them: a DNS label component, at most 63
// characters (swarmkit's validateAnnotations and its messages).

import { invalidArgument } from './refusal.js';

/** The longest name swarmkit accepts (a DNS label). */
export const MAX_NAME_LENGTH = 63;

/**
 * swarmkit's ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, written so that it runs in linear time: the
 * original's nested quantifiers backtrack exponentially on a name such as "aaaa…a!" (30
 * characters took seconds), which froze the manager's event loop.
 */
const DNS_LABEL = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9])*$/;

export function validateName(name: string): void {
  if (name === '') throw invalidArgument('meta: name must be provided');
  if (!DNS_LABEL.test(name)) throw invalidArgument('name must be valid as a DNS name component');
  if (name.length > MAX_NAME_LENGTH) throw invalidArgument('name must be 63 characters or fewer');
}
