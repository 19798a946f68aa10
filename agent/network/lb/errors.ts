// Typed errors of the load-balancing programmer. Each has a stable `code`; an nft failure
// carries nft's own message and the namespace it ran in, so a user can act on it.

export type LbErrorCode = 'LB_BAD_SPEC' | 'NFT_FAILED' | 'NFT_UNREADABLE' | 'NFT_MISSING';

export class LbError extends Error {
  readonly code: LbErrorCode;
  constructor(code: LbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LbError';
    this.code = code;
  }
}

/** A desired state that cannot be programmed (bad address, duplicate VIP or port). */
export class LbSpecError extends LbError {
  constructor(message: string) {
    super('LB_BAD_SPEC', message);
    this.name = 'LbSpecError';
  }
}

/** `nft` refused a command; `nftMessage` is what it printed. */
export class NftError extends LbError {
  readonly netnsPath: string;
  readonly operation: string;
  readonly exitCode: number | null;
  readonly nftMessage: string;
  constructor(netnsPath: string, operation: string, exitCode: number | null, nftMessage: string) {
    super(
      'NFT_FAILED',
      `nft ${operation} in ${netnsPath} failed (exit ${exitCode ?? 'signal'}): ${nftMessage.trim() || 'no message'}`,
    );
    this.name = 'NftError';
    this.netnsPath = netnsPath;
    this.operation = operation;
    this.exitCode = exitCode;
    this.nftMessage = nftMessage;
  }
}

/** What `nft -j list` printed is not the JSON shoal expects. */
export class NftUnreadableError extends LbError {
  constructor(what: string, cause?: unknown) {
    super('NFT_UNREADABLE', `cannot read nft's JSON output: ${what}`, cause === undefined ? {} : { cause });
    this.name = 'NftUnreadableError';
  }
}

/** The nft or nsenter program is not installed. */
export class NftMissingError extends LbError {
  constructor(program: string) {
    super('NFT_MISSING', `${program} is not installed: install the nftables and util-linux packages`);
    this.name = 'NftMissingError';
  }
}
