// Errors the CLI itself raises (bad arguments, nothing found). The message is printed as is
// and the process exits with `exitCode` (1, as docker does for these).

export class CliError extends Error {
  readonly code: string;
  constructor(
    message: string,
    code = 'CLI_ERROR',
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
    this.code = code;
  }
}

/** Wrong arguments for a command: the message, then docker's "See '… --help'." hint. */
export class UsageError extends CliError {
  constructor(message: string, commandPath: string, usage: string) {
    super(`${message}\nSee '${commandPath} --help'.\n\nUsage:  ${usage}`, 'USAGE', 1);
    this.name = 'UsageError';
  }
}
