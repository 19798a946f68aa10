// A compose file the CLI cannot use: the message names the file and, when known, the line, so
// the user can go straight to it ("compose.yml:12: services.web.deploy.replicas must be integer").

export class ComposeError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'ComposeError';
  }
}

/** A path inside a compose document as the messages print it: services.web.ports.0 */
export function dottedPath(path: readonly (string | number)[]): string {
  return path.map(String).join('.');
}
