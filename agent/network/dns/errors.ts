// Typed errors of the embedded DNS. Each has a stable `code`.

export type DnsErrorCode =
  'DNS_BAD_MESSAGE' | 'DNS_UPSTREAM_FAILED' | 'DNS_NO_UPSTREAM' | 'DNS_SANDBOX_SOCKETS';

export class DnsError extends Error {
  readonly code: DnsErrorCode;
  constructor(code: DnsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DnsError';
    this.code = code;
  }
}

/** Every upstream resolver failed or timed out for a forwarded query. */
export class DnsUpstreamError extends DnsError {
  readonly tried: readonly string[];
  constructor(tried: readonly string[], detail: string) {
    super(
      tried.length === 0 ? 'DNS_NO_UPSTREAM' : 'DNS_UPSTREAM_FAILED',
      tried.length === 0
        ? 'no upstream resolver: the node has no nameserver in /etc/resolv.conf'
        : `no upstream resolver answered (${tried.join(', ')}): ${detail}`,
    );
    this.name = 'DnsUpstreamError';
    this.tried = tried;
  }
}

/** The DNS listener could not be opened inside a task's network namespace. */
export class DnsSandboxError extends DnsError {
  readonly netnsPath: string;
  constructor(netnsPath: string, detail: string) {
    super('DNS_SANDBOX_SOCKETS', `cannot open the DNS listener in ${netnsPath}: ${detail}`);
    this.name = 'DnsSandboxError';
    this.netnsPath = netnsPath;
  }
}
