// TLS client settings for tcp:// daemons, Docker's way: --tlsverify/--tlscacert/--tlscert/
// --tlskey, or DOCKER_TLS_VERIFY / DOCKER_CERT_PATH (SHOAL_ variants first).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsFlags {
  readonly tls?: boolean | undefined;
  readonly tlsverify?: boolean | undefined;
  readonly tlscacert?: string | undefined;
  readonly tlscert?: string | undefined;
  readonly tlskey?: string | undefined;
}

export interface TlsSettings {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
}

export class TlsFileError extends Error {
  readonly code = 'TLS_FILE';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`could not read TLS file ${path}: ${reason}`);
    this.name = 'TlsFileError';
  }
}

function read(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e: unknown) {
    throw new TlsFileError(path, e instanceof Error ? e.message : String(e));
  }
}

function readIfPresent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Returns undefined when TLS is not asked for (plain HTTP over tcp or a unix socket). */
export function resolveTls(
  flags: TlsFlags,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): TlsSettings | undefined {
  const envVerify = (env['SHOAL_TLS_VERIFY'] ?? env['DOCKER_TLS_VERIFY'] ?? '') !== '';
  const verify = flags.tlsverify === true || envVerify;
  const explicitFiles =
    flags.tlscacert !== undefined || flags.tlscert !== undefined || flags.tlskey !== undefined;
  if (!verify && flags.tls !== true && !explicitFiles) return undefined;
  const certDir = env['SHOAL_CERT_PATH'] ?? env['DOCKER_CERT_PATH'] ?? join(home, '.docker');
  const caPath = flags.tlscacert ?? join(certDir, 'ca.pem');
  const certPath = flags.tlscert ?? join(certDir, 'cert.pem');
  const keyPath = flags.tlskey ?? join(certDir, 'key.pem');
  const ca = flags.tlscacert !== undefined ? read(caPath) : readIfPresent(caPath);
  const cert = flags.tlscert !== undefined ? read(certPath) : readIfPresent(certPath);
  const key = flags.tlskey !== undefined ? read(keyPath) : readIfPresent(keyPath);
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    rejectUnauthorized: verify,
  };
}
