// The error of a swarm operation on this node (init, join, leave) that is neither the caller's
// mistake nor a manager's refusal: a join no leader answered, a wait that timed out.

export class SwarmStateError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'SwarmStateError';
    this.code = code;
    this.status = status;
  }
}
