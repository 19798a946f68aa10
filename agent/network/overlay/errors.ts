// Typed errors of the node's overlay data plane. Each has a stable `code` and a message that
// says what to check (the command that failed and its output, the address that is missing).

export type OverlayErrorCode =
  | 'OVERLAY_COMMAND_FAILED'
  | 'OVERLAY_UNDERLAY_NOT_FOUND'
  | 'OVERLAY_BAD_CONFIG'
  | 'OVERLAY_CONFLICT'
  | 'OVERLAY_POOL_EXHAUSTED';

export class OverlayError extends Error {
  readonly code: OverlayErrorCode;
  constructor(code: OverlayErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OverlayError';
    this.code = code;
  }
}

/** A program the data plane runs (ip, bridge, nft…) failed. */
export class HostCommandError extends OverlayError {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(argv: readonly string[], exitCode: number | null, stderr: string, why?: string) {
    const detail = stderr.trim().slice(-2000);
    super(
      'OVERLAY_COMMAND_FAILED',
      `\`${argv.join(' ')}\` ${why ?? `exited with ${exitCode === null ? 'a signal' : `code ${exitCode}`}`}` +
        (detail ? `: ${detail}` : ''),
    );
    this.name = 'HostCommandError';
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}
