// Typed errors of the lab. Each has a stable `code` a caller can switch on and a message that
// says what to do about it (install a package, run as root, run the sweep, read a log).

export type LabErrorCode =
  | 'LAB_PREREQUISITE'
  | 'LAB_BAD_OPTIONS'
  | 'LAB_COMMAND_FAILED'
  | 'LAB_ENGINE_START'
  | 'LAB_ENGINE_API'
  | 'LAB_UNKNOWN_HOST'
  | 'LAB_FOREIGN_PID'
  | 'LAB_DESTROYED'
  | 'LAB_TEARDOWN';

export class LabError extends Error {
  readonly code: LabErrorCode;
  constructor(code: LabErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LabError';
    this.code = code;
  }
}

/** Something the lab needs (root, a binary, a kernel feature) is missing on this machine. */
export class LabPrerequisiteError extends LabError {
  readonly missing: readonly string[];
  constructor(missing: readonly string[]) {
    super(
      'LAB_PREREQUISITE',
      `the lab cannot run on this machine: ${missing.join('; ')}. ` +
        'Run `bash scripts/setup.sh` as root (it installs docker.io, busybox-static, iproute2, nftables, iptables).',
    );
    this.name = 'LabPrerequisiteError';
    this.missing = missing;
  }
}

/** A command the lab ran exited non-zero (or could not be started). */
export class LabCommandError extends LabError {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(
    argv: readonly string[],
    exitCode: number | null,
    stdout: string,
    stderr: string,
    why?: string,
  ) {
    const detail = (stderr.trim() || stdout.trim()).slice(-2000);
    super(
      'LAB_COMMAND_FAILED',
      `\`${argv.join(' ')}\` ${why ?? `exited with ${exitCode === null ? 'a signal' : `code ${exitCode}`}`}` +
        (detail ? `: ${detail}` : ''),
    );
    this.name = 'LabCommandError';
    this.argv = argv;
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

/** Teardown could not remove everything; `failures` lists each step that failed. */
export class LabTeardownError extends LabError {
  readonly failures: readonly string[];
  constructor(id: string, failures: readonly string[]) {
    super(
      'LAB_TEARDOWN',
      `lab ${id} was not removed completely (run \`node dist/lab/sweep.js --force ${id}\` to retry):\n  ` +
        failures.join('\n  '),
    );
    this.name = 'LabTeardownError';
    this.failures = failures;
  }
}
